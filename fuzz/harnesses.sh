# fuzz/harnesses.sh — sourced by run.sh and build.sh: what each harness is run with.
# The harnesses are fuzz/*_fuzz.cpp; a harness's name is its file name without .cpp.

# The harness names, sorted, from the folder `$1` (fuzz/).
harness_names() {
  local src
  for src in "$1"/*_fuzz.cpp; do
    [ -f "$src" ] && basename "$src" .cpp
  done
}

# Largest input per harness: big enough for several frames / a full request head, small
# enough that a few seconds still explore thousands of inputs per second.
max_len_of() {
  case "$1" in
    http_request_fuzz|http_response_fuzz|ws_handshake_fuzz) echo 8192 ;;
    ws_session_fuzz|ws_frame_*_fuzz|json_fuzz)              echo 4096 ;;
    *)                                                      echo 1024 ;;
  esac
}

# The dictionary file of a harness (in fuzz/), or nothing. The frame and session harnesses
# share one; otherwise fuzz/<name>.dict when present.
dict_of() {
  case "$1" in
    ws_frame_*_fuzz|ws_session_fuzz) echo "$2/ws_frame.dict" ;;
    *) [ -f "$2/$1.dict" ] && echo "$2/$1.dict" ;;
  esac
  return 0
}
