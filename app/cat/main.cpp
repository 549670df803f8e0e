// app/cat/main.cpp — sluice-cat: an interactive WebSocket client on sluice's ClientLoop, in the
// manner of websocat and wscat. Lines read from stdin go out as text (or binary) messages; every
// message received is printed on stdout, one per line; notes and errors go to stderr.
//
//   sluice-cat ws://127.0.0.1:60000/chat
//   sluice-cat --binary --header 'Authorization: Bearer t' --subprotocol v1 --ping-interval 5 ws://...
//
// stdin is read on a thread of its own (a blocking read), whose lines ClientLoop::post hands
// to the loop; at most kMaxQueued bytes wait between the two, so a large file piped in is
// read only as fast as the server takes it. At the end of stdin the client closes with 1000
// and exits when the server has answered. Exit status: see usage() below.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/client.hpp"

namespace {

constexpr std::size_t kMaxQueued = 1 << 20;   // stdin bytes read ahead of the socket, at most

void usage(std::FILE* to) {
    std::fputs(
        "usage: sluice-cat [options] ws://host[:port][/path][?query]\n"
        "  Sends each line of stdin as a message; prints each message received on a line.\n"
        "  --binary               send lines as binary messages (default: text)\n"
        "  --header 'Name: value' add a request header (repeatable)\n"
        "  --subprotocol NAME     offer a subprotocol (repeatable, in order of preference)\n"
        "  --origin ORIGIN        send an Origin header\n"
        "  --ping-interval SECS   send a ping every SECS seconds (fractions allowed)\n"
        "  --timeout SECS         connect and handshake timeout (default 10)\n"
        "  --linger SECS          after the end of stdin, keep printing what arrives for SECS\n"
        "                         seconds before closing (default 0: close at once; a message\n"
        "                         arriving after our close is dropped, RFC 6455 §5.5.1)\n"
        "  --quiet                no notes on stderr (errors still)\n"
        "exit status, by how the connection ended:\n"
        "  0   closed with 1000 (normal), by either side\n"
        "  1   could not connect, or the handshake failed (the reason on stderr)\n"
        "  2   usage error (a URL that cannot be used, wss:// included)\n"
        "  11-25  closed with code 1001-1015: the code minus 990 (11 going away, 12 protocol\n"
        "         error, 16 ended without a close frame, 19 message too big, ...)\n"
        "  30  closed with a 3000-3999 code; 40 with a 4000-4999 code (the code on stderr)\n",
        to);
}

int exit_status(int code) {
    if (code == 1000) return 0;
    if (code >= 1001 && code <= 1015) return code - 990;
    if (code >= 3000 && code <= 3999) return 30;
    if (code >= 4000 && code <= 4999) return 40;
    return 16;   // no code at all: as 1006
}

bool parse_seconds(const char* text, std::chrono::milliseconds& out) {
    char* end = nullptr;
    const double s = std::strtod(text, &end);
    if (end == text || *end != '\0' || !(s > 0) || s > 86400) return false;
    out = std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000 + 0.5));
    return out.count() > 0;
}

// What the stdin thread and the loop share: bytes handed over and not yet sent.
struct Flow {
    std::mutex mutex;
    std::condition_variable room;
    std::size_t queued = 0;
};

// Loop thread only: the conversation and the lines waiting for room in the output queue.
struct Session {
    sluice::Context* ctx = nullptr;
    std::deque<std::string> lines;
    bool stdin_done = false;
    bool closing = false;
    std::chrono::milliseconds linger{0};
    bool binary = false;
    int status = 1;      // until the conversation opens: a failed connection
    bool quiet = false;
};

void pump(Session& s, Flow& flow) {
    if (s.ctx == nullptr || !s.ctx->open()) return;
    std::size_t sent = 0;
    while (!s.lines.empty() && s.ctx->buffered_amount() < kMaxQueued) {
        const std::string& line = s.lines.front();
        if (s.binary) {
            s.ctx->send_binary_now({reinterpret_cast<const std::uint8_t*>(line.data()), line.size()});
        } else {
            s.ctx->send_now(line);
        }
        sent += line.size() + 1;
        s.lines.pop_front();
    }
    if (sent > 0) {
        std::lock_guard<std::mutex> lock(flow.mutex);
        flow.queued -= sent;
        flow.room.notify_all();
    }
    if (!s.lines.empty() || !s.stdin_done || s.closing) return;
    s.closing = true;
    if (s.linger.count() == 0) {
        s.ctx->close(1000, {});
    } else {
        s.ctx->after(s.linger, [&s] {
            if (s.ctx != nullptr) s.ctx->close(1000, {});
        });
    }
}

void read_stdin(sluice::ClientLoop& loop, Session& s, Flow& flow) {
    char* line = nullptr;
    std::size_t capacity = 0;
    for (;;) {
        const ssize_t n = ::getline(&line, &capacity, stdin);
        if (n < 0) break;
        std::string text(line, static_cast<std::size_t>(n));
        if (!text.empty() && text.back() == '\n') text.pop_back();
        {
            std::unique_lock<std::mutex> lock(flow.mutex);
            flow.room.wait(lock, [&] { return flow.queued < kMaxQueued; });
            flow.queued += text.size() + 1;
        }
        if (!loop.post([&s, &flow, text = std::move(text)]() mutable {
                s.lines.push_back(std::move(text));
                pump(s, flow);
            }))
            break;
    }
    std::free(line);
    loop.post([&s, &flow] {
        s.stdin_done = true;
        pump(s, flow);
    });
}

}  // namespace

int main(int argc, char** argv) {
    sluice::ClientOptions options;
    Session session;
    std::chrono::milliseconds ping_interval{0};
    std::string url;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "-h" || arg == "--help") {
            usage(stdout);
            return 0;
        } else if (arg == "--binary") {
            session.binary = true;
        } else if (arg == "--quiet" || arg == "-q") {
            session.quiet = true;
        } else if (arg == "--header" && has_value) {
            const std::string_view h = argv[++i];
            const std::size_t colon = h.find(':');
            if (colon == std::string_view::npos || colon == 0) {
                std::fprintf(stderr, "sluice-cat: --header wants 'Name: value', got '%s'\n", argv[i]);
                return 2;
            }
            std::string_view value = h.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            options.headers.emplace_back(std::string(h.substr(0, colon)), std::string(value));
        } else if (arg == "--subprotocol" && has_value) {
            options.subprotocols.emplace_back(argv[++i]);
        } else if (arg == "--origin" && has_value) {
            options.origin = argv[++i];
        } else if (arg == "--ping-interval" && has_value) {
            if (!parse_seconds(argv[++i], ping_interval)) {
                std::fprintf(stderr, "sluice-cat: --ping-interval wants seconds above 0, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (arg == "--linger" && has_value) {
            if (!parse_seconds(argv[++i], session.linger)) {
                std::fprintf(stderr, "sluice-cat: --linger wants seconds above 0, got '%s'\n", argv[i]);
                return 2;
            }
        } else if (arg == "--timeout" && has_value) {
            std::chrono::milliseconds t{0};
            if (!parse_seconds(argv[++i], t)) {
                std::fprintf(stderr, "sluice-cat: --timeout wants seconds above 0, got '%s'\n", argv[i]);
                return 2;
            }
            options.connect_timeout = t;
            options.handshake_timeout = t;
        } else if (!arg.empty() && arg[0] == '-') {
            std::fprintf(stderr, "sluice-cat: unknown option or missing value: %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else if (url.empty()) {
            url = arg;
        } else {
            std::fprintf(stderr, "sluice-cat: one URL only (got '%s' and '%s')\n", url.c_str(), argv[i]);
            return 2;
        }
    }
    if (url.empty()) {
        usage(stderr);
        return 2;
    }

    sluice::ClientLoop loop;
    Flow flow;
    options.on_error = [](const sluice::ClientError& e) { std::fprintf(stderr, "sluice-cat: %s\n", e.message.c_str()); };
    sluice::WsCallbacks callbacks;
    callbacks.on_open = [&](sluice::Context& ctx) {
        session.ctx = &ctx;
        session.status = 16;   // open: until a close code says otherwise
        if (!session.quiet) {
            std::fprintf(stderr, "sluice-cat: connected to %s (%s)%s%s\n", url.c_str(),
                         std::string(ctx.peer_address()).c_str(), ctx.subprotocol().empty() ? "" : ", subprotocol ",
                         std::string(ctx.subprotocol()).c_str());
        }
        if (ping_interval.count() > 0) ctx.every(ping_interval, [&ctx] { ctx.ping(); });
        std::thread([&] { read_stdin(loop, session, flow); }).detach();
    };
    callbacks.on_message = [](sluice::Context&, const sluice::Message& m) {
        const std::string_view bytes = m.text();
        std::fwrite(bytes.data(), 1, bytes.size(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
    };
    callbacks.on_drain = [&](sluice::Context&) { pump(session, flow); };
    callbacks.on_close = [&](sluice::Context&, std::uint16_t code, std::string_view reason) {
        session.ctx = nullptr;
        session.status = exit_status(code);
        if (!session.quiet || code != 1000) {
            std::fprintf(stderr, "sluice-cat: closed: %u%s%.*s\n", static_cast<unsigned>(code), reason.empty() ? "" : " ",
                         static_cast<int>(reason.size()), reason.data());
        }
    };
    if (const std::string e = loop.connect(url, std::move(options), std::move(callbacks)); !e.empty()) {
        std::fprintf(stderr, "sluice-cat: %s\n", e.c_str());
        return 2;
    }
    if (loop.run() != 0) return 1;
    std::fflush(stdout);
    // The stdin thread may be blocked in a read that nothing will end: leave without it.
    std::_Exit(session.status);
}
