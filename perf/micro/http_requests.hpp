// Request heads that more than one benchmark parses: perf/micro/http_bench.cpp and
// perf/peers/http_parser_peer.cpp (sluice beside picohttpparser) time the same bytes.
#pragma once

#include <string>

namespace sluice::bench {

// ~700 bytes, 10 fields, a long cookie: the shape of picohttpparser's benchmark request.
inline const std::string kBrowser700 =
    "GET /assets/2024/07/photos/harbour-lighthouse-at-dusk-large.jpg HTTP/1.1\r\n"
    "Host: images.example-harbour.org\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0 Sluice/1.0\r\n"
    "Accept: image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5\r\n"
    "Accept-Language: en-GB,en;q=0.8,fr;q=0.6,de;q=0.3\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://www.example-harbour.org/gallery/\r\n"
    "Keep-Alive: 115\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session_id=7f3a9c2e51b84d06; visits=14; last_visit=1719912345; "
    "_track=GA1.2.1234567890.1719912345.1719998765.3; theme=dark; "
    "prefs=lang%3Den%7Cunits%3Dmetric%7Ctz%3DEurope%2FLondon; cart=; ab=exp42-b\r\n"
    "Sec-Fetch-Dest: image\r\n"
    "\r\n";

// The smallest valid HTTP/1.1 request head.
inline const std::string kMinimal = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

}  // namespace sluice::bench
