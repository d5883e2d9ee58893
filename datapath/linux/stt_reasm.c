// SPDX-License-Identifier: GPL-2.0
/*
 * STT frame reassembly.
 *
 * Used only when a segment is not a whole frame (GRO did not or could not
 * merge the pieces).  It runs before anything knows whether the sender is
 * a tunnel peer, so it is built for segments from anyone:
 *
 * - Each device has a hash table of incomplete frames keyed by (address
 *   family, outer source, outer destination, TCP source port, frame ID;
 *   IPv4 addresses sit zero-padded in the IPv6-sized slots), hashed with
 *   a random per-device seed.  Segments that differ in any of these never
 *   form one frame.
 * - A segment that does not end its frame must carry STT_REASM_MIN_SEG
 *   bytes or more, so a frame has at most 256 segments; smaller ones are
 *   dropped and counted before the table is touched.  A segment that
 *   cannot fit in what is missing of its frame is dropped before the
 *   frame's segments are looked at.
 * - Segments of a frame are kept sorted by offset with a tail pointer:
 *   in-order arrival appends in O(1); only out-of-order segments walk the
 *   list.  A segment that overlaps or duplicates one already held, or
 *   that disagrees on the frame length, is dropped.  With no overlap
 *   allowed, the frame is complete exactly when the bytes held equal the
 *   frame length.
 * - Memory is what was allocated: each segment's skb truesize plus the
 *   slab size of the frame's bookkeeping.  Over reasm_max_bytes, frames
 *   are evicted from the outer source address that holds the most bytes,
 *   oldest first, so a flood from one address evicts its own frames, not
 *   other peers'.  STT_REASM_SOURCES addresses are tracked one by one;
 *   while that many hold frames, frames from any further address share
 *   one "untracked" entry, which competes as one source.
 * - Frames are also kept on a list in order of their first segment's
 *   arrival; a timer sweeps it every STT_REASM_SWEEP while any frame is
 *   held, so incomplete frames go away within reasm_timeout plus one
 *   sweep even when no further segment arrives.
 *
 * One spinlock per device protects the table: segments of one device may
 * arrive on several CPUs at once.
 */

#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/inet_ecn.h>

#include "stt.h"

#define STT_REASM_SWEEP		HZ

struct stt_frag_cb {
	u16	offset;
	u16	len;
};

#define STT_FRAG_CB(skb)	((struct stt_frag_cb *)(skb)->cb)

struct stt_reasm_frame {
	struct hlist_node	hnode;
	struct list_head	lru;
	struct list_head	src_node;	/* in src->frames */
	struct stt_reasm_src	*src;		/* charged for truesize */
	union stt_addr		saddr;
	union stt_addr		daddr;
	__be32			id;
	__be16			sport;
	u8			family;
	bool			ce;		/* some segment had ECN CE */
	unsigned long		first_seen;	/* jiffies */
	unsigned int		truesize;	/* accounted to bytes_held */
	u32			rcvd;		/* payload bytes held */
	u16			frame_len;
	struct stt_rx_meta	head_meta;	/* of the offset-0 segment */
	struct sk_buff		*segs;		/* sorted by offset */
	struct sk_buff		*tail;		/* last of segs */
};

static unsigned long stt_reasm_timeout_jiffies(void)
{
	unsigned int secs = READ_ONCE(stt_reasm_timeout);

	/* Bounded, so that first_seen + timeout stays comparable. */
	return (unsigned long)clamp(secs, 1U, 3600U) * HZ;
}

static void stt_reasm_frame_free(struct stt_reasm_frame *f)
{
	struct sk_buff *skb, *next;

	for (skb = f->segs; skb; skb = next) {
		next = skb->next;
		skb->next = NULL;
		kfree_skb(skb);
	}
	kfree(f);
}

static void stt_reasm_free_list(struct list_head *list)
{
	struct stt_reasm_frame *f, *tmp;

	list_for_each_entry_safe(f, tmp, list, lru) {
		list_del(&f->lru);
		stt_reasm_frame_free(f);
	}
}

/* Charges @bytes of memory to @f, its source and the table. */
static void stt_reasm_charge(struct stt_reasm *r, struct stt_reasm_frame *f,
			     unsigned int bytes)
{
	f->truesize += bytes;
	f->src->bytes += bytes;
	WRITE_ONCE(r->bytes_held, r->bytes_held + bytes);
}

/* Takes @f out of the table.  If @gc, moves it there for freeing. */
static void stt_reasm_unlink(struct stt_reasm *r, struct stt_reasm_frame *f,
			     struct list_head *gc)
{
	struct stt_reasm_src *src = f->src;

	hlist_del(&f->hnode);
	if (gc)
		list_move_tail(&f->lru, gc);
	else
		list_del(&f->lru);
	WRITE_ONCE(r->bytes_held, r->bytes_held - f->truesize);
	WRITE_ONCE(r->nframes, r->nframes - 1);

	list_del(&f->src_node);
	src->bytes -= f->truesize;
	if (!--src->nframes && src != &r->untracked) {
		hlist_del(&src->hnode);
		src->family = 0;
		WRITE_ONCE(r->nsrcs, r->nsrcs - 1);
	}
}

static void stt_reasm_expire(struct stt_dev *stt, unsigned long now,
			     struct list_head *gc)
{
	unsigned long timeout = stt_reasm_timeout_jiffies();
	struct stt_reasm *r = &stt->reasm;
	struct stt_reasm_frame *f;

	while (!list_empty(&r->lru)) {
		f = list_first_entry(&r->lru, struct stt_reasm_frame, lru);
		if (time_before(now, f->first_seen + timeout))
			break;
		stt_reasm_unlink(r, f, gc);
		stt_stat_inc(stt, STT_STAT_REASM_TIMEOUTS);
	}
}

/* Runs every STT_REASM_SWEEP while frames are held: frames expire even
 * when no segment arrives.
 */
static void stt_reasm_timer(struct timer_list *t)
{
	struct stt_reasm *r = from_timer(r, t, timer);
	struct stt_dev *stt = container_of(r, struct stt_dev, reasm);
	LIST_HEAD(gc);

	spin_lock_bh(&r->lock);
	stt_reasm_expire(stt, jiffies, &gc);
	if (!r->dying && !list_empty(&r->lru))
		mod_timer(&r->timer, jiffies + STT_REASM_SWEEP);
	spin_unlock_bh(&r->lock);

	stt_reasm_free_list(&gc);
}

void stt_reasm_init(struct stt_reasm *r)
{
	int i;

	spin_lock_init(&r->lock);
	for (i = 0; i < STT_REASM_BUCKETS; i++)
		INIT_HLIST_HEAD(&r->buckets[i]);
	INIT_LIST_HEAD(&r->lru);
	r->bytes_held = 0;
	r->nframes = 0;
	r->nsrcs = 0;
	r->dying = false;
	r->seed = get_random_u32();
	r->src_seed = get_random_u32();
	for (i = 0; i < STT_REASM_SRC_BUCKETS; i++)
		INIT_HLIST_HEAD(&r->src_buckets[i]);
	for (i = 0; i < STT_REASM_SOURCES; i++) {
		INIT_LIST_HEAD(&r->srcs[i].frames);
		r->srcs[i].family = 0;
		r->srcs[i].bytes = 0;
		r->srcs[i].nframes = 0;
	}
	memset(&r->untracked, 0, sizeof(r->untracked));
	INIT_LIST_HEAD(&r->untracked.frames);
	timer_setup(&r->timer, stt_reasm_timer, 0);
}

/* Drops every incomplete frame.  With @dying, also refuses new segments
 * and stops the timer for good.  Process context.
 */
void stt_reasm_flush(struct stt_reasm *r, bool dying)
{
	struct stt_reasm_frame *f;
	LIST_HEAD(gc);

	spin_lock_bh(&r->lock);
	if (dying)
		r->dying = true;
	while (!list_empty(&r->lru)) {
		f = list_first_entry(&r->lru, struct stt_reasm_frame, lru);
		stt_reasm_unlink(r, f, &gc);
	}
	spin_unlock_bh(&r->lock);

	if (dying)
		del_timer_sync(&r->timer);
	stt_reasm_free_list(&gc);
}

static struct hlist_head *stt_reasm_bucket(struct stt_reasm *r,
					   const struct stt_rx_meta *meta)
{
	u32 hash;

	hash = jhash2((const u32 *)&meta->saddr.v6, 4,
		      r->seed ^ meta->family);
	hash = jhash2((const u32 *)&meta->daddr.v6, 4, hash);
	hash = jhash_2words((__force u32)meta->id, (__force u32)meta->sport,
			    hash);

	return &r->buckets[hash & (STT_REASM_BUCKETS - 1)];
}

static struct stt_reasm_frame *stt_reasm_lookup(struct hlist_head *bucket,
						const struct stt_rx_meta *meta)
{
	struct stt_reasm_frame *f;

	hlist_for_each_entry(f, bucket, hnode)
		if (f->id == meta->id && f->sport == meta->sport &&
		    f->family == meta->family &&
		    ipv6_addr_equal(&f->saddr.v6, &meta->saddr.v6) &&
		    ipv6_addr_equal(&f->daddr.v6, &meta->daddr.v6))
			return f;
	return NULL;
}

/* The accounting entry of the segment's outer source address: its own
 * slot, a new one, or the shared "untracked" entry when all are taken.
 */
static struct stt_reasm_src *stt_reasm_src_get(struct stt_reasm *r,
					       const struct stt_rx_meta *meta)
{
	struct stt_reasm_src *src;
	struct hlist_head *bucket;
	u32 hash;
	int i;

	hash = jhash2((const u32 *)&meta->saddr.v6, 4,
		      r->src_seed ^ meta->family);
	bucket = &r->src_buckets[hash & (STT_REASM_SRC_BUCKETS - 1)];
	hlist_for_each_entry(src, bucket, hnode)
		if (src->family == meta->family &&
		    ipv6_addr_equal(&src->addr.v6, &meta->saddr.v6))
			return src;

	if (r->nsrcs == STT_REASM_SOURCES)
		return &r->untracked;
	for (i = 0; i < STT_REASM_SOURCES; i++) {
		src = &r->srcs[i];
		if (!src->family)
			break;
	}
	src->family = meta->family;
	src->addr = meta->saddr;
	hlist_add_head(&src->hnode, bucket);
	WRITE_ONCE(r->nsrcs, r->nsrcs + 1);
	return src;
}

/* The frame to evict when over the cap: the oldest of the source that
 * holds the most bytes (the untracked entry counting as one source).
 */
static struct stt_reasm_frame *stt_reasm_victim(struct stt_reasm *r)
{
	struct stt_reasm_src *big = &r->untracked;
	int i;

	for (i = 0; i < STT_REASM_SOURCES; i++)
		if (r->srcs[i].family && r->srcs[i].bytes > big->bytes)
			big = &r->srcs[i];
	return list_first_entry_or_null(&big->frames, struct stt_reasm_frame,
					src_node);
}

/* Chains the segments of complete frame @f behind the first one, whose
 * data starts at offset 0, and frees @f.  Nested frag_lists (segments that
 * GRO merged partially) are flattened into the head's frag_list.
 */
static struct sk_buff *stt_reasm_build(struct stt_reasm_frame *f)
{
	struct sk_buff *head = f->segs, *p, *next, *c, **tail;

	next = head->next;
	head->next = NULL;
	kfree(f);

	tail = &skb_shinfo(head)->frag_list;
	while (*tail)
		tail = &(*tail)->next;

	for (p = next; p; p = next) {
		struct sk_buff *children = skb_shinfo(p)->frag_list;

		next = p->next;
		p->next = NULL;

		/* p->truesize already covers its children. */
		head->len += p->len;
		head->data_len += p->len;
		head->truesize += p->truesize;

		if (children) {
			skb_shinfo(p)->frag_list = NULL;
			for (c = children; c; c = c->next) {
				p->len -= c->len;
				p->data_len -= c->len;
			}
		}

		*tail = p;
		tail = &p->next;
		for (c = children; c; c = c->next) {
			*tail = c;
			tail = &c->next;
		}
	}
	return head;
}

/* stt_reasm_build() relinks frag_list members.  After skb_unclone() of a
 * clone, they are still on the other clone's list too (skb_shared()).
 */
static bool stt_frag_list_shared(const struct sk_buff *skb)
{
	const struct sk_buff *c;

	skb_walk_frags(skb, c)
		if (skb_shared(c))
			return true;
	return false;
}

/* Puts @skb (offset and length in its cb) into @f's sorted segment list.
 * Returns 0 or the counter that says why it was refused.
 */
static int stt_reasm_insert(struct stt_reasm_frame *f, struct sk_buff *skb)
{
	unsigned int off = STT_FRAG_CB(skb)->offset;
	unsigned int len = STT_FRAG_CB(skb)->len;
	struct sk_buff **pp, *p, *prev = NULL;
	struct sk_buff *last = f->tail;

	/* In order (or the first): append. */
	if (!last ||
	    STT_FRAG_CB(last)->offset + STT_FRAG_CB(last)->len <= off) {
		if (last)
			last->next = skb;
		else
			f->segs = skb;
		f->tail = skb;
		skb->next = NULL;
		return 0;
	}
	if (STT_FRAG_CB(last)->offset == off && STT_FRAG_CB(last)->len == len)
		return STT_STAT_REASM_DUPLICATES;

	/* Out of order: it goes before the tail, or overlaps it. */
	for (pp = &f->segs; (p = *pp); pp = &p->next) {
		if (STT_FRAG_CB(p)->offset >= off)
			break;
		prev = p;
	}
	if (prev && STT_FRAG_CB(prev)->offset + STT_FRAG_CB(prev)->len > off)
		return STT_STAT_REASM_OVERLAPS;
	if (!p)		/* after the tail, yet not in order */
		return STT_STAT_REASM_OVERLAPS;
	if (STT_FRAG_CB(p)->offset == off && STT_FRAG_CB(p)->len == len)
		return STT_STAT_REASM_DUPLICATES;
	if (off + len > STT_FRAG_CB(p)->offset)
		return STT_STAT_REASM_OVERLAPS;

	skb->next = p;
	*pp = skb;
	return 0;
}

/* Adds one segment (skb->data at its payload, skb->len = meta->len).
 * Returns the complete frame (data at the STT header, @meta rewritten to
 * describe the frame) or NULL.  Consumes @skb either way.
 */
struct sk_buff *stt_reasm_add(struct stt_dev *stt, struct sk_buff *skb,
			      struct stt_rx_meta *meta)
{
	unsigned int cap = READ_ONCE(stt_reasm_max_bytes);
	struct stt_reasm *r = &stt->reasm;
	struct stt_reasm_frame *f, *done = NULL;
	unsigned long now = jiffies;
	struct hlist_head *bucket;
	LIST_HEAD(gc);
	int why;

	/* Cheap checks first: a small piece that does not end its frame
	 * never touches the table.
	 */
	if (meta->len < STT_REASM_MIN_SEG &&
	    meta->offset + meta->len != meta->frame_len) {
		stt_stat_inc(stt, STT_STAT_REASM_SMALL_SEGMENTS);
		DEV_STATS_INC(stt->dev, rx_dropped);
		kfree_skb(skb);
		return NULL;
	}

	/* Nothing of the input path may outlive this softirq: the input
	 * route may be RCU-only, the ingress device may go away.
	 */
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_orphan(skb);
	skb->dev = stt->dev;
	STT_FRAG_CB(skb)->offset = meta->offset;
	STT_FRAG_CB(skb)->len = meta->len;

	if (unlikely(stt_frag_list_shared(skb)) && __skb_linearize(skb)) {
		stt_stat_inc(stt, STT_STAT_REASM_NOMEM);
		DEV_STATS_INC(stt->dev, rx_dropped);
		kfree_skb(skb);
		return NULL;
	}

	spin_lock_bh(&r->lock);
	if (r->dying) {
		spin_unlock_bh(&r->lock);
		kfree_skb(skb);
		return NULL;
	}

	stt_reasm_expire(stt, now, &gc);

	bucket = stt_reasm_bucket(r, meta);
	f = stt_reasm_lookup(bucket, meta);
	if (!f) {
		f = kzalloc(sizeof(*f), GFP_ATOMIC);
		if (!f) {
			why = STT_STAT_REASM_NOMEM;
			goto drop;
		}
		f->saddr = meta->saddr;
		f->daddr = meta->daddr;
		f->id = meta->id;
		f->sport = meta->sport;
		f->family = meta->family;
		f->frame_len = meta->frame_len;
		f->first_seen = now;
		f->src = stt_reasm_src_get(r, meta);
		hlist_add_head(&f->hnode, bucket);
		list_add_tail(&f->lru, &r->lru);
		list_add_tail(&f->src_node, &f->src->frames);
		f->src->nframes++;
		WRITE_ONCE(r->nframes, r->nframes + 1);
		/* What the slab really gave, not just the struct. */
		stt_reasm_charge(r, f, kmalloc_size_roundup(sizeof(*f)));
		if (!timer_pending(&r->timer))
			mod_timer(&r->timer, now + STT_REASM_SWEEP);
	} else if (f->frame_len != meta->frame_len) {
		why = STT_STAT_REASM_LEN_MISMATCH;
		goto drop;
	} else if (f->rcvd + meta->len > f->frame_len) {
		/* No room: it must overlap something, no need to look. */
		why = STT_STAT_REASM_OVERLAPS;
		goto drop;
	}

	why = stt_reasm_insert(f, skb);
	if (why)
		goto drop;

	f->rcvd += meta->len;
	stt_reasm_charge(r, f, skb->truesize);
	if (INET_ECN_is_ce(meta->tos))
		f->ce = true;
	if (!meta->offset)
		f->head_meta = *meta;

	if (f->rcvd == f->frame_len) {
		stt_reasm_unlink(r, f, NULL);
		done = f;
	} else {
		while (r->bytes_held > cap) {
			f = stt_reasm_victim(r);
			if (!f)
				break;
			stt_reasm_unlink(r, f, &gc);
			stt_stat_inc(stt, STT_STAT_REASM_EVICTIONS);
		}
	}
	spin_unlock_bh(&r->lock);
	stt_reasm_free_list(&gc);

	if (!done)
		return NULL;

	*meta = done->head_meta;
	meta->len = done->frame_len;
	if (done->ce)
		meta->tos |= INET_ECN_CE;
	stt_stat_inc(stt, STT_STAT_REASM_FRAMES);
	return stt_reasm_build(done);

drop:
	spin_unlock_bh(&r->lock);
	stt_reasm_free_list(&gc);
	stt_stat_inc(stt, why);
	if (why == STT_STAT_REASM_LEN_MISMATCH) {
		DEV_STATS_INC(stt->dev, rx_length_errors);
		DEV_STATS_INC(stt->dev, rx_errors);
	} else {
		DEV_STATS_INC(stt->dev, rx_dropped);
	}
	kfree_skb(skb);
	return NULL;
}
