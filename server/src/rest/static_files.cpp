#include "rest/static_files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

#include "call/errors.hpp"
#include "net/error_response.hpp"

namespace sb::rest {
namespace {

namespace fs = std::filesystem;

std::string_view content_type_of(const fs::path& p) {
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

bool read_file(const fs::path& p, std::string& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// The URL path (already percent-decoded by the server) as a path relative to the web root.
// nullopt when a segment is "..": the front end never links to one, so it is refused outright
// instead of resolved.
std::optional<fs::path> relative_to_root(std::string_view url_path) {
  fs::path relative;
  std::size_t start = 0;
  while (start <= url_path.size()) {
    const std::size_t end = std::min(url_path.find('/', start), url_path.size());
    const std::string_view segment = url_path.substr(start, end - start);
    if (segment == "..") return std::nullopt;
    if (!segment.empty() && segment != ".") relative /= segment;
    start = end + 1;
  }
  return relative;
}

// Compares whole components: "/srv/web-old/x" is not inside "/srv/web", though the string
// "/srv/web-old/x" starts with "/srv/web".
bool is_inside(const fs::path& root, const fs::path& path) {
  const auto [root_end, path_end] =
      std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

// The file to serve for `relative`, or nullopt when there is none. Symbolic links are resolved
// first, so a link cannot lead out of the web root either.
std::optional<fs::path> file_inside(const fs::path& root, const fs::path& relative) {
  std::error_code ec;
  const fs::path wanted = fs::weakly_canonical(root / relative, ec);
  if (ec || !is_inside(root, wanted) || !fs::is_regular_file(wanted, ec)) return std::nullopt;
  return wanted;
}

// "/assets/app.js" names a file the build should have made; "/staff" is a route of the app.
bool looks_like_file(const fs::path& relative) {
  return relative.filename().has_extension();
}

// Vite names built assets by content hash, so they never change under the same name.
bool is_hashed_asset(const fs::path& relative) {
  return !relative.empty() && *relative.begin() == "assets";
}

net::HttpResponse not_found() {
  return net::error_response(call::make_error(call::ErrorCode::kNotFound));
}

net::HttpResponse front_end_not_built() {
  net::HttpResponse res;
  res.status = 404;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "The web front end is not built. Run `make build`.\n";
  return res;
}

}  // namespace

net::HttpResponse StaticFiles::serve(const std::string& path) const {
  const auto relative = relative_to_root(path);
  if (!relative) return not_found();

  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(root_), ec);
  if (ec) return front_end_not_built();

  net::HttpResponse res;
  if (const auto file = file_inside(root, *relative); file && read_file(*file, res.body)) {
    res.content_type = std::string(content_type_of(*file));
    res.headers.emplace_back("Cache-Control", is_hashed_asset(*relative)
                                                  ? "public, max-age=31536000, immutable"
                                                  : "no-cache");
    return res;
  }
  // A missing script or image must fail as one: index.html in its place breaks the page in
  // confusing ways (a MIME type error, or an old cached page loading a new build's chunks).
  if (looks_like_file(*relative)) return not_found();

  if (!read_file(root / "index.html", res.body)) return front_end_not_built();
  res.content_type = "text/html; charset=utf-8";
  res.headers.emplace_back("Cache-Control", "no-cache");
  return res;
}

}  // namespace sb::rest
