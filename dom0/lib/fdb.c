/*
 * The learning bridge's forwarding table (see vfr.h). A linear search of
 * FDB_SIZE entries: a bridge joins a handful of ports and guests, and
 * the table is small enough that a scan costs less than a frame's copy.
 */
#include "vfr.h"
#include "klib.h"

static bool live(const struct fdb_entry *e, uint64_t now)
{
	return e->used && now - e->seen < FDB_AGE_NS;
}

static struct fdb_entry *find(const struct fdb *f, const uint8_t mac[6])
{
	for (unsigned int i = 0; i < FDB_SIZE; i++)
		if (f->e[i].used && !memcmp(f->e[i].mac, mac, 6))
			return (struct fdb_entry *)&f->e[i];
	return NULL;
}

void fdb_learn(struct fdb *f, const uint8_t mac[6], int port, uint64_t now)
{
	struct fdb_entry *e = find(f, mac), *victim = &f->e[0];

	if (mac[0] & 1)
		return; /* a group address is never a source */
	if (!e) {
		for (unsigned int i = 0; i < FDB_SIZE; i++) {
			if (!live(&f->e[i], now)) {
				victim = &f->e[i];
				break;
			}
			if (f->e[i].seen < victim->seen)
				victim = &f->e[i];
		}
		e = victim;
		memcpy(e->mac, mac, 6);
		e->used = true;
	}
	e->port = port;
	e->seen = now;
}

int fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint64_t now)
{
	const struct fdb_entry *e = find(f, mac);

	return e && live(e, now) ? e->port : -1;
}

void fdb_forget_port(struct fdb *f, int port)
{
	for (unsigned int i = 0; i < FDB_SIZE; i++)
		if (f->e[i].port == port)
			f->e[i].used = false;
}
