#include "proto/http_error.hpp"

namespace sluice::proto {

// RFC 6455 §10.7: invalid data during the handshake SHOULD get an appropriate HTTP status code.
int http_status(HttpError e) noexcept {
    switch (e) {
        case HttpError::none: return 0;
        case HttpError::uri_too_long: return 414;
        case HttpError::header_section_too_large:
        case HttpError::too_many_headers: return 431;
        case HttpError::body_too_large: return 413;
        case HttpError::unsupported_transfer_coding: return 501;
        case HttpError::version_not_supported: return 505;
        default: return 400;
    }
}

std::string_view http_error_name(HttpError e) noexcept {
    switch (e) {
        case HttpError::none: return "none";
        case HttpError::bad_method: return "bad_method";
        case HttpError::bad_target: return "bad_target";
        case HttpError::bad_target_form: return "bad_target_form";
        case HttpError::bad_version: return "bad_version";
        case HttpError::bad_request_line: return "bad_request_line";
        case HttpError::bare_cr: return "bare_cr";
        case HttpError::bare_lf: return "bare_lf";
        case HttpError::bad_header_name: return "bad_header_name";
        case HttpError::space_before_colon: return "space_before_colon";
        case HttpError::bad_header_value: return "bad_header_value";
        case HttpError::obs_fold: return "obs_fold";
        case HttpError::leading_whitespace: return "leading_whitespace";
        case HttpError::missing_host: return "missing_host";
        case HttpError::duplicate_host: return "duplicate_host";
        case HttpError::bad_host: return "bad_host";
        case HttpError::bad_content_length: return "bad_content_length";
        case HttpError::conflicting_content_length: return "conflicting_content_length";
        case HttpError::content_length_and_transfer_encoding: return "content_length_and_transfer_encoding";
        case HttpError::bad_transfer_encoding: return "bad_transfer_encoding";
        case HttpError::chunked_not_final: return "chunked_not_final";
        case HttpError::transfer_encoding_in_http10: return "transfer_encoding_in_http10";
        case HttpError::bad_chunk_size: return "bad_chunk_size";
        case HttpError::bad_chunk: return "bad_chunk";
        case HttpError::bad_status_line: return "bad_status_line";
        case HttpError::uri_too_long: return "uri_too_long";
        case HttpError::header_section_too_large: return "header_section_too_large";
        case HttpError::too_many_headers: return "too_many_headers";
        case HttpError::body_too_large: return "body_too_large";
        case HttpError::unsupported_transfer_coding: return "unsupported_transfer_coding";
        case HttpError::version_not_supported: return "version_not_supported";
    }
    return "unknown";
}

}  // namespace sluice::proto
