// ResponseWriter, DateCache and the error responses: exact bytes (RFC 9110, RFC 9112).
#include "proto/http_writer.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace sluice::proto;

namespace {
std::string error_response(int status, std::string_view extra = {}, std::string_view body = {}) {
    std::array<char, 512> out{};
    std::size_t n = write_error_response(status, out, extra, body);
    return std::string(out.data(), n);
}
}  // namespace

TEST_SUITE("proto") {

TEST_CASE("RFC 9110 §5.6.7: DateCache formats IMF-fixdate") {
    DateCache d;
    d.update(784111777);  // the RFC's own example
    CHECK(d.value() == "Sun, 06 Nov 1994 08:49:37 GMT");
    d.update(0);
    CHECK(d.value() == "Thu, 01 Jan 1970 00:00:00 GMT");
    d.update(951782400);  // a leap day
    CHECK(d.value() == "Tue, 29 Feb 2000 00:00:00 GMT");
    d.update(4102444799);
    CHECK(d.value() == "Thu, 31 Dec 2099 23:59:59 GMT");
    CHECK(d.seconds() == 4102444799);
}

TEST_CASE("RFC 9110 §6.6.1: DateCache re-formats only when the second changes") {
    DateCache d;
    d.update(784111777);
    const char* before = d.value().data();
    d.update(784111777);
    CHECK(d.value().data() == before);
    CHECK(d.value() == "Sun, 06 Nov 1994 08:49:37 GMT");
    d.update(784111778);
    CHECK(d.value() == "Sun, 06 Nov 1994 08:49:38 GMT");
}

TEST_CASE("RFC 9112 §4, §6: a Content-Length response, exact bytes") {
    std::array<char, 256> buf{};
    DateCache dates;
    dates.update(784111777);
    ResponseWriter w(buf);
    CHECK(w.status_line(200));
    CHECK(w.date(dates));
    CHECK(w.header("Content-Type", "text/plain"));
    CHECK(w.content_length(5));
    CHECK(w.end_head());
    CHECK(w.body("hello"));
    CHECK(w.ok());
    CHECK(w.view() ==
          "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain\r\n"
          "Content-Length: 5\r\n\r\nhello");
    CHECK(w.size() == w.view().size());
}

TEST_CASE("RFC 9112 §7.1: a chunked response, exact bytes") {
    std::array<char, 256> buf{};
    ResponseWriter w(buf);
    w.status_line(200);
    w.chunked();
    w.end_head();
    w.chunk("hello");
    w.chunk("");  // nothing: a zero size would end the body
    w.chunk(std::string(26, 'z'));
    w.last_chunk();
    CHECK(w.ok());
    CHECK(w.view() == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1a\r\n" +
                          std::string(26, 'z') + "\r\n0\r\n\r\n");
}

TEST_CASE("RFC 9110 §8.6: 1xx and 204 responses carry no Content-Length and no content") {
    std::array<char, 256> buf{};
    SimpleResponse r;
    r.status = 204;
    r.content_type = {};
    const std::size_t n = write_response(r, buf);
    CHECK(std::string_view(buf.data(), n) == "HTTP/1.1 204 No Content\r\n\r\n");
    r.status = 103;
    CHECK(std::string_view(buf.data(), write_response(r, buf)) == "HTTP/1.1 103 \r\n\r\n");
    r.status = 204;
    r.body = "x";  // content on a 204 cannot be framed: refused
    CHECK(write_response(r, buf) == 0);
    r.status = 200;  // and a 200 with no content still says Content-Length: 0
    r.body = {};
    CHECK(std::string_view(buf.data(), write_response(r, buf)) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("RFC 9110 §9.3.2: a response to HEAD has the head and no body") {
    std::array<char, 256> buf{};
    ResponseWriter w(buf);
    w.set_head_request(true);
    w.status_line(200);
    w.content_length(5);
    w.end_head();
    CHECK(w.body("hello"));
    CHECK(w.chunk("x"));
    CHECK(w.last_chunk());
    CHECK(w.view() == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    std::array<char, 256> out{};
    SimpleResponse r;
    r.body = "hello";
    r.head_request = true;
    std::size_t n = write_response(r, out);
    CHECK(std::string_view(out.data(), n) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\n");
}

TEST_CASE("RFC 9112 §4: a custom reason and an unknown status") {
    std::array<char, 64> buf{};
    ResponseWriter w(buf);
    w.status_line(299, "Custom Thing");
    CHECK(w.view() == "HTTP/1.1 299 Custom Thing\r\n");
    ResponseWriter u(buf);
    u.status_line(299);
    CHECK(u.view() == "HTTP/1.1 299 \r\n");
    ResponseWriter bad(buf);
    CHECK_FALSE(bad.status_line(1000));
    CHECK_FALSE(bad.ok());
}

TEST_CASE("RFC 9110 §5.5: header injection is refused") {
    std::array<char, 256> buf{};
    ResponseWriter w(buf);
    w.status_line(200);
    CHECK_FALSE(w.header("X", "a\r\nSet-Cookie: evil=1"));
    CHECK_FALSE(w.ok());
    ResponseWriter n(buf);
    CHECK_FALSE(n.header("Bad Name", "v"));
    ResponseWriter e(buf);
    CHECK_FALSE(e.header("", "v"));
    ResponseWriter f(buf);
    CHECK_FALSE(f.fields("A: 1\r\nB 2\r\n"));
    ResponseWriter g(buf);
    CHECK_FALSE(g.fields("A: 1"));  // not a complete line
    ResponseWriter r(buf);
    CHECK_FALSE(r.status_line(200, "OK\r\nX: y"));
}

TEST_CASE("RFC 9112 §4: a response that does not fit fails and stays failed") {
    std::array<char, 20> buf{};
    ResponseWriter w(buf);
    CHECK(w.status_line(200));  // 17 bytes
    CHECK_FALSE(w.header("Content-Length", "5"));
    CHECK_FALSE(w.ok());
    CHECK_FALSE(w.end_head());  // sticky, even though 2 bytes would fit
    CHECK(w.size() == 17);
    std::array<char, 8> tiny{};
    CHECK(write_error_response(400, tiny) == 0);
}

TEST_CASE("RFC 9110 §15.5.1: 400 closes the connection, exact bytes") {
    CHECK(error_response(400) ==
          "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 12\r\n"
          "Connection: close\r\n\r\nBad Request\n");
}

TEST_CASE("RFC 9110 §15.5.5: 404 keeps the connection") {
    CHECK(error_response(404) ==
          "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n\r\nNot Found\n");
}

TEST_CASE("RFC 9110 §15.5.6: 405 carries Allow") {
    CHECK(error_response(405, "Allow: GET, HEAD\r\n") ==
          "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\n"
          "Allow: GET, HEAD\r\n\r\nMethod Not Allowed\n");
}

TEST_CASE("RFC 9110 §15.5.22: 426 carries Upgrade") {
    CHECK(error_response(426, "Upgrade: websocket\r\nConnection: Upgrade\r\n", "use a WebSocket client\n") ==
          "HTTP/1.1 426 Upgrade Required\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 23\r\n"
          "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\nuse a WebSocket client\n");
}

TEST_CASE("RFC 9110 §15.5, §15.6: 408, 413, 414, 431, 501, 505 close the connection") {
    for (int status : {408, 413, 414, 431, 501, 505}) {
        INFO(status);
        const std::string r = error_response(status);
        const std::string phrase(http_reason_phrase(status));
        CHECK(r == "HTTP/1.1 " + std::to_string(status) + " " + phrase +
                       "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                       std::to_string(phrase.size() + 1) + "\r\nConnection: close\r\n\r\n" + phrase + "\n");
        CHECK(error_closes_connection(status));
    }
    CHECK(http_reason_phrase(413) == "Content Too Large");
    CHECK(http_reason_phrase(431) == "Request Header Fields Too Large");
    CHECK_FALSE(error_closes_connection(404));
    CHECK_FALSE(error_closes_connection(200));
}

TEST_CASE("RFC 9110 §15: the status of each parse error is the response written") {
    CHECK(error_response(http_status(HttpError::uri_too_long)).rfind("HTTP/1.1 414 URI Too Long\r\n", 0) == 0);
    CHECK(error_response(http_status(HttpError::too_many_headers)).rfind("HTTP/1.1 431 ", 0) == 0);
}

TEST_CASE("RFC 9110 §15.5.1: malformed extra headers make the error response fail") {
    std::array<char, 256> out{};
    CHECK(write_error_response(405, out, "Allow GET\r\n") == 0);
}

}  // TEST_SUITE

TEST_CASE("RFC 9110 §10.1.1: the interim 100 Continue, whole") {
    std::array<char, 64> buf{};
    ResponseWriter w(buf);
    CHECK(w.continue_100());
    CHECK(w.view() == "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST_CASE("RFC 9110 §6.4.1, §8.6: 1xx, 204 and 304 carry no content and no Content-Length") {
    CHECK_FALSE(sluice::proto::status_has_body(100));
    CHECK_FALSE(sluice::proto::status_has_body(204));
    CHECK_FALSE(sluice::proto::status_has_body(304));
    CHECK(sluice::proto::status_has_body(200));
    CHECK(sluice::proto::status_has_body(404));
    for (int status : {204, 304}) {
        CAPTURE(status);
        std::array<char, 128> buf{};
        ResponseWriter w(buf);
        w.status_line(status);
        CHECK_FALSE(w.body_allowed());
        CHECK(w.content_length(5));
        CHECK(w.end_head());
        CHECK(w.body("hello"));
        CHECK(w.view() == "HTTP/1.1 " + std::to_string(status) + " " +
                              std::string(sluice::proto::http_reason_phrase(status)) + "\r\n\r\n");
    }
    std::array<char, 128> buf{};
    ResponseWriter ok(buf);
    ok.status_line(200);
    CHECK(ok.body_allowed());
}

TEST_CASE("RFC 9112 §7.1: a chunk written in halves around the caller's data, and the last chunk") {
    std::array<char, 64> buf{};
    ResponseWriter w(buf);
    CHECK(w.chunk_size(0x1a2));
    CHECK(w.view() == "1a2\r\n");
    CHECK(w.chunk_size(0));   // would end the body: nothing
    CHECK(w.chunk_end());
    CHECK(w.last_chunk());
    CHECK(w.view() == "1a2\r\n\r\n0\r\n\r\n");
    ResponseWriter head(buf);
    head.set_head_request(true);
    CHECK(head.chunk_size(5));
    CHECK(head.chunk_end());
    CHECK(head.size() == 0);
}
