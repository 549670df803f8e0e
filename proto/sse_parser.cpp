#include "proto/sse_parser.hpp"

#include <cstring>

namespace sluice::proto {

namespace {

constexpr std::uint8_t kBom[3] = {0xEF, 0xBB, 0xBF};
constexpr std::uint8_t kPastBom = 3;
constexpr std::uint8_t kNameTooLong = 6;

constexpr bool is_line_end(std::uint8_t b) noexcept { return b == '\r' || b == '\n'; }

// The end of the run of bytes in p[i, n) before the next CR or LF (or n).
std::size_t line_run_end(const std::uint8_t* p, std::size_t i, std::size_t n) noexcept {
    while (i < n && !is_line_end(p[i])) ++i;
    return i;
}

SseParser::Field classify(const char* name, std::uint8_t length) noexcept {
    if (length > 5) return SseParser::Field::ignored;
    const std::string_view n(name, length);
    if (n == "data") return SseParser::Field::data;
    if (n == "event") return SseParser::Field::event;
    if (n == "id") return SseParser::Field::id;
    if (n == "retry") return SseParser::Field::retry;
    return SseParser::Field::ignored;
}

std::uint32_t capacity_of(std::size_t v) noexcept { return v > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(v); }

}  // namespace

SseParser::SseParser(std::span<char> storage, SseParserLimits limits) noexcept
    : storage_(storage.data()), data_capacity_(0), max_id_(limits.max_id), max_type_(limits.max_event_type) {
    const std::size_t slots = 3 * std::size_t{max_id_} + max_type_;
    if (storage.size() < slots) {
        max_id_ = 0;  // slot() and data() must not point past the storage
        max_type_ = 0;
        phase_ = Phase::error;
        error_ = SseError::storage_too_small;
        return;
    }
    data_capacity_ = capacity_of(storage.size() - slots);
}

void SseParser::reset() noexcept {
    if (error_ == SseError::storage_too_small) return;
    // Keep only the last event ID string; the ID buffer becomes another, empty, slot
    // (§9.2.6: a new stream's buffers start empty).
    buffer_slot_ = static_cast<std::uint8_t>((string_slot_ + 1) % 3);
    id_length_[buffer_slot_] = 0;
    data_length_ = 0;
    type_length_ = 0;
    bom_ = 0;
    name_length_ = 0;
    phase_ = Phase::line_start;
    field_ = Field::ignored;
    error_ = SseError::none;
    after_cr_ = false;
}

SseResult SseParser::fail(SseError e) noexcept {
    phase_ = Phase::error;
    error_ = e;
    return {SseStatus::error, 0, {}, 0, e};
}

// The field's value starts (after the colon, or at once for a line without one).
void SseParser::begin_value() noexcept {
    field_ = classify(name_, name_length_);
    switch (field_) {
        case Field::event: type_length_ = 0; break;  // a later event field replaces the type
        case Field::id:
            // Any slot that is neither the ID string nor the ID buffer.
            incoming_slot_ = 0;
            while (incoming_slot_ == string_slot_ || incoming_slot_ == buffer_slot_) ++incoming_slot_;
            id_length_[incoming_slot_] = 0;
            id_has_nul_ = false;
            break;
        case Field::retry:
            retry_ = 0;
            retry_digits_ = false;
            break;
        default: break;
    }
}

// Routes value bytes to the current field's buffer; false (and the error set) when a
// bound is passed.
bool SseParser::append(std::span<const std::uint8_t> bytes) noexcept {
    const std::size_t n = bytes.size();
    switch (field_) {
        case Field::data:
            if (n > data_capacity_ - data_length_) return fail(SseError::event_too_large), false;
            std::memcpy(data() + data_length_, bytes.data(), n);
            data_length_ += static_cast<std::uint32_t>(n);
            return true;
        case Field::event:
            if (n > max_type_ - type_length_) return fail(SseError::event_type_too_long), false;
            std::memcpy(type_slot() + type_length_, bytes.data(), n);
            type_length_ += static_cast<std::uint32_t>(n);
            return true;
        case Field::id: {
            std::uint32_t& length = id_length_[incoming_slot_];
            if (n > max_id_ - length) return fail(SseError::id_too_long), false;
            if (std::memchr(bytes.data(), 0, n) != nullptr) id_has_nul_ = true;
            std::memcpy(storage_ + std::size_t{incoming_slot_} * max_id_ + length, bytes.data(), n);
            length += static_cast<std::uint32_t>(n);
            return true;
        }
        case Field::retry:
            for (std::uint8_t b : bytes) {
                const std::uint64_t digit = static_cast<std::uint64_t>(b) - '0';
                if (b < '0' || b > '9' || retry_ > (UINT64_MAX - digit) / 10) {
                    field_ = Field::ignored;  // §9.2.6: not only ASCII digits -> ignore the field
                    return true;
                }
                retry_ = retry_ * 10 + digit;
                retry_digits_ = true;
            }
            return true;
        case Field::ignored: return true;
    }
    return true;
}

// A line ended (its CR or LF consumed): process the field. True when `out` holds an
// event or retry to report (or the error of a full data buffer).
bool SseParser::finish_line(SseResult& out) noexcept {
    phase_ = Phase::line_start;
    name_length_ = 0;
    switch (field_) {
        case Field::data:
            if (data_length_ == data_capacity_) {
                out = fail(SseError::event_too_large);
                return true;
            }
            data()[data_length_++] = '\n';
            break;
        case Field::id:
            if (!id_has_nul_) buffer_slot_ = incoming_slot_;  // else §9.2.6: ignore the field
            break;
        case Field::retry:
            if (retry_digits_) {
                out = {SseStatus::retry, 0, {}, retry_, SseError::none};
                field_ = Field::ignored;
                return true;
            }
            break;
        default: break;
    }
    field_ = Field::ignored;
    return false;
}

// §9.2.6 "dispatch the event". True when an event is reported in `out`.
bool SseParser::dispatch(SseResult& out) noexcept {
    string_slot_ = buffer_slot_;  // step 1, whether or not anything is dispatched
    const std::uint32_t length = data_length_;
    const std::string_view type = type_length_ == 0 ? std::string_view("message") : std::string_view(type_slot(), type_length_);
    data_length_ = 0;  // step 5 (the bytes stay until the next parse() overwrites them)
    type_length_ = 0;
    if (length == 0) return false;  // step 2
    // Step 3: the final LF goes (every data line ended with one).
    out = {SseStatus::event, 0, {type, {data(), length - 1}, last_event_id()}, 0, SseError::none};
    return true;
}

SseResult SseParser::parse(std::span<const std::uint8_t> input) noexcept {
    if (phase_ == Phase::error) return {SseStatus::error, 0, {}, 0, error_};
    const std::uint8_t* p = input.data();
    const std::size_t n = input.size();
    std::size_t i = 0;
    while (i < n) {
        std::uint8_t b = p[i];
        if (bom_ != kPastBom) {
            if (b == kBom[bom_]) {
                ++i;
                ++bom_;
                continue;
            }
            // Not a BOM after all: its first bytes are ordinary name bytes (no line end
            // among them, so they cannot complete anything).
            for (std::uint8_t k = 0; k < bom_; ++k) {
                name_[name_length_++] = static_cast<char>(kBom[k]);
                phase_ = Phase::name;
            }
            bom_ = kPastBom;
        }
        if (after_cr_) {
            after_cr_ = false;
            if (b == '\n') {
                ++i;
                continue;
            }
        }
        switch (phase_) {
            case Phase::line_start:
                if (is_line_end(b)) {
                    after_cr_ = b == '\r';
                    ++i;
                    SseResult out;
                    if (dispatch(out)) {
                        out.consumed = i;
                        return out;
                    }
                    continue;
                }
                if (b == ':') {
                    phase_ = Phase::comment;
                    ++i;
                    continue;
                }
                phase_ = Phase::name;
                name_length_ = 0;
                [[fallthrough]];
            case Phase::name:
                if (b == ':' || is_line_end(b)) {
                    begin_value();
                    phase_ = Phase::value_start;
                    if (b == ':') ++i;
                    continue;  // a line end is handled as the end of an empty value
                }
                if (name_length_ < 5) name_[name_length_] = static_cast<char>(b);
                if (name_length_ < kNameTooLong) ++name_length_;
                ++i;
                continue;
            case Phase::value_start:
                phase_ = Phase::value;
                if (b == ' ') {  // §9.2.6: one leading space is removed
                    ++i;
                    continue;
                }
                [[fallthrough]];
            case Phase::value:
            case Phase::comment: {
                const std::size_t end = line_run_end(p, i, n);
                if (phase_ == Phase::value && !append({p + i, end - i})) return {SseStatus::error, 0, {}, 0, error_};
                i = end;
                if (i == n) break;
                after_cr_ = p[i] == '\r';
                ++i;
                if (phase_ == Phase::comment) {
                    phase_ = Phase::line_start;
                    continue;
                }
                SseResult out;
                if (finish_line(out)) {
                    if (out.status != SseStatus::error) out.consumed = i;
                    return out;
                }
                continue;
            }
            case Phase::error: return {SseStatus::error, 0, {}, 0, error_};
        }
    }
    return {SseStatus::need_more, n, {}, 0, SseError::none};
}

std::string_view sse_error_name(SseError e) noexcept {
    switch (e) {
        case SseError::none: return "none";
        case SseError::event_too_large: return "event_too_large";
        case SseError::id_too_long: return "id_too_long";
        case SseError::event_type_too_long: return "event_type_too_long";
        case SseError::storage_too_small: return "storage_too_small";
    }
    return "unknown";
}

}  // namespace sluice::proto
