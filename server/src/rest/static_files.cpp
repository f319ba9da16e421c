#include "rest/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sb::rest {
namespace {

std::string_view content_type_of(const std::filesystem::path& p) {
  const auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".wav") return "audio/wav";
  if (ext == ".mp3") return "audio/mpeg";
  if (ext == ".ogg") return "audio/ogg";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool read_file(const std::filesystem::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

net::HttpResponse StaticFiles::serve(const std::string& path) const {
  namespace fs = std::filesystem;
  net::HttpResponse res;
  const fs::path root = fs::weakly_canonical(fs::path(root_));
  // Reject anything that would climb out of the web root.
  const fs::path wanted = fs::weakly_canonical(root / fs::path(path).relative_path());
  const bool inside = wanted.string().starts_with(root.string());
  std::error_code ec;
  if (inside && path != "/" && fs::is_regular_file(wanted, ec) && read_file(wanted, res.body)) {
    res.content_type = std::string(content_type_of(wanted));
    // Vite names built assets by content hash, so they never change under the same name.
    const bool hashed = path.starts_with("/assets/");
    res.headers.emplace_back("Cache-Control",
                             hashed ? "public, max-age=31536000, immutable" : "no-cache");
    return res;
  }
  if (!read_file(root / "index.html", res.body)) {
    res.status = 404;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "The web front end is not built. Run `make build`.\n";
    return res;
  }
  res.content_type = "text/html; charset=utf-8";
  res.headers.emplace_back("Cache-Control", "no-cache");
  return res;
}

}  // namespace sb::rest
