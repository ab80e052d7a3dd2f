/*
 * bzimage2elf: turn a Linux bzImage into the ELF (vmlinux) inside it, the
 * image a PV domain builder loads. The x86 boot protocol's setup header
 * (2.08+) says where the compressed payload lies: payload_offset and
 * payload_length, from the start of the protected-mode code, which
 * follows (setup_sects + 1) 512-byte sectors. The payload's own magic
 * names its compressor; the host's decompressor tool unpacks it. A file
 * that is already an ELF is copied unchanged.
 *
 *   bzimage2elf IN OUT
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SETUP_SECTS 0x1f1
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define PAYLOAD_OFFSET 0x248
#define PAYLOAD_LENGTH 0x24c

static const struct {
	const char *magic;
	size_t len;
	const char *tool[4];
} formats[] = {
	{ "\xfd" "7zXZ\0", 6, { "xz", "-dc", "--single-stream", NULL } },
	{ "\x1f\x8b", 2, { "gzip", "-dc", NULL } },
	{ "\x28\xb5\x2f\xfd", 4, { "zstd", "-dcq", NULL } },
	{ "BZh", 3, { "bzip2", "-dc", NULL } },
	{ "\x5d\x00\x00", 3, { "xz", "-dc", "--format=lzma", NULL } },
	{ "\x89LZO", 4, { "lzop", "-dc", NULL } },
	{ "\x02\x21\x4c\x18", 4, { "lz4", "-dcq", NULL } },
};

static int die(const char *what, const char *detail)
{
	fprintf(stderr, "bzimage2elf: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	return 1;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
		errno = errno ? errno : EINVAL;
	}
	fclose(f);
	return buf;
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Feed data to tool's stdin with stdout to out; 0 if it succeeded. */
static int run_tool(const char *const *tool, const unsigned char *data,
		    size_t len, const char *out)
{
	int fds[2], status;
	pid_t pid;
	FILE *w;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!freopen(out, "wb", stdout))
			_exit(126);
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execvp(tool[0], (char *const *)tool);
		fprintf(stderr, "bzimage2elf: cannot run %s: %s\n", tool[0],
			strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	w = fdopen(fds[1], "wb");
	/* The tool may stop early (trailing size word): ignore EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	fwrite(data, 1, len, w);
	fclose(w);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned char *img;
	size_t len, pm, off, plen;

	if (argc != 3)
		return die("usage: bzimage2elf IN OUT", NULL);
	img = read_file(argv[1], &len);
	if (!img)
		return die(argv[1], strerror(errno));
	if (len >= 4 && !memcmp(img, "\x7f" "ELF", 4)) {
		FILE *o = fopen(argv[2], "wb");
		if (!o || fwrite(img, 1, len, o) != len || fclose(o))
			return die(argv[2], strerror(errno));
		return 0;
	}
	if (len < 0x250 || memcmp(img + HDR_MAGIC, "HdrS", 4))
		return die(argv[1], "neither an ELF nor a bzImage");
	if ((img[HDR_VERSION] | img[HDR_VERSION + 1] << 8) < 0x208)
		return die(argv[1], "boot protocol before 2.08: no payload "
				    "fields");
	pm = ((size_t)(img[SETUP_SECTS] ? img[SETUP_SECTS] : 4) + 1) * 512;
	off = pm + le32(img + PAYLOAD_OFFSET);
	plen = le32(img + PAYLOAD_LENGTH);
	if (off > len || plen > len - off || plen < 8)
		return die(argv[1], "payload outside the file");
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (memcmp(img + off, formats[i].magic, formats[i].len))
			continue;
		if (run_tool(formats[i].tool, img + off, plen, argv[2]))
			return die("decompression failed", formats[i].tool[0]);
		return 0;
	}
	return die(argv[1], "unknown payload compression");
}
