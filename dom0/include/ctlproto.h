/*
 * The control channel between the host's `xl` client (tools/xl.c) and
 * domain 0's control server (dom0/ctl/server.c), over a byte stream (a
 * virtio console on domain 0's side, a unix socket on the host's).
 *
 * Everything is a frame: an 8-byte header, then len bytes of payload
 * (little-endian, at most CTL_MAX_PAYLOAD). A session:
 *
 *   client: CTL_BREAK_LEN zero bytes, then HELLO (payload CTL_HELLO_TEXT)
 *   server: HELLO (same text)            -- from here frames are in step
 *   client: REQUEST (u64 data length, then the command line text)
 *   server: OUT / ERR frames (text for stdout / stderr) ...
 *   server: CONTINUE, if the command wants the data: the client then
 *           sends DATA frames carrying exactly data length bytes
 *   server: more OUT / ERR ..., EXIT (i32 status); the request is done
 *
 * A command that fails before taking the data (a file too large to
 * store, say) answers EXIT without CONTINUE, and nothing is sent in vain.
 *
 * The zero bytes end whatever frame a client that vanished left half
 * sent (no frame is longer), and a header of zeros is invalid, so the
 * server drops any request in progress and scans for the HELLO. The
 * client likewise skips any bytes before the server's HELLO.
 *
 * Console mode (`console N`): the server answers ATTACHED, then relays
 * the domain's output as OUT frames; the client sends keyboard input as
 * DATA frames and DETACH to leave; the server then ends with EXIT.
 */
#ifndef CTLPROTO_H
#define CTLPROTO_H

#include <stdint.h>

#define CTL_MAGIC 0x584c /* bytes 'L' 'X' on the wire */
#define CTL_MAX_PAYLOAD 4096
#define CTL_BREAK_LEN (CTL_MAX_PAYLOAD + 16)
#define CTL_HELLO_TEXT "xenolith-ctl 1"
#define CTL_MAX_CMDLINE 1024

enum ctl_type {
	CTL_HELLO = 1, /* both ways: start of a session */
	CTL_REQUEST = 2, /* client: struct ctl_request + command line */
	CTL_DATA = 3, /* client: request data or console input */
	CTL_DETACH = 4, /* client: leave console mode */
	CTL_OUT = 5, /* server: output for stdout */
	CTL_ERR = 6, /* server: output for stderr */
	CTL_EXIT = 7, /* server: int32 exit status; request done */
	CTL_ATTACHED = 8, /* server: console mode begins */
	CTL_CONTINUE = 9, /* server: send the request's data now */
};

struct ctl_header {
	uint16_t magic;
	uint8_t type;
	uint8_t flags; /* zero */
	uint32_t len;
};

struct ctl_request {
	uint64_t data_len; /* bytes of DATA frames that follow */
	/* then the command line, not NUL-terminated */
};

#endif
