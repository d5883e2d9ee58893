// SPDX-License-Identifier: GPL-2.0
/*
 * STT frame reassembly.
 *
 * Used only when a segment is not a whole frame (GRO did not or could not
 * merge the pieces).  Each device has a small hash table of incomplete
 * frames keyed by (address family, outer source, outer destination, frame
 * ID; IPv4 addresses sit zero-padded in the IPv6-sized slots); frames are
 * also kept on a list in order of their first segment's arrival, which
 * drives both the timeout and eviction when the device holds more than
 * reasm_max_bytes of skb truesize.  Segments of a frame are kept sorted by
 * offset; a segment that overlaps or duplicates one already held, or that
 * disagrees on the frame length, is dropped.  With no overlap allowed, the
 * frame is complete exactly when the bytes held equal the frame length.
 *
 * One spinlock per device protects the table: segments of one device may
 * arrive on several CPUs at once.
 */

#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/inet_ecn.h>

#include "stt.h"

struct stt_frag_cb {
	u16	offset;
	u16	len;
};

#define STT_FRAG_CB(skb)	((struct stt_frag_cb *)(skb)->cb)

struct stt_reasm_frame {
	struct hlist_node	hnode;
	struct list_head	lru;
	union stt_addr		saddr;
	union stt_addr		daddr;
	__be32			id;
	u8			family;
	unsigned long		first_seen;	/* jiffies */
	unsigned int		truesize;	/* accounted to bytes_held */
	u32			rcvd;		/* payload bytes held */
	u16			frame_len;
	bool			ce;		/* some segment had ECN CE */
	struct stt_rx_meta	head_meta;	/* of the offset-0 segment */
	struct sk_buff		*segs;		/* sorted by offset */
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

/* Takes @f out of the table.  If @gc, moves it there for freeing. */
static void stt_reasm_unlink(struct stt_reasm *r, struct stt_reasm_frame *f,
			     struct list_head *gc)
{
	hlist_del(&f->hnode);
	if (gc)
		list_move_tail(&f->lru, gc);
	else
		list_del(&f->lru);
	r->bytes_held -= f->truesize;
	r->nframes--;
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

static void stt_reasm_timer(struct timer_list *t)
{
	struct stt_reasm *r = from_timer(r, t, timer);
	struct stt_dev *stt = container_of(r, struct stt_dev, reasm);
	LIST_HEAD(gc);

	spin_lock_bh(&r->lock);
	stt_reasm_expire(stt, jiffies, &gc);
	if (!r->dying && !list_empty(&r->lru))
		mod_timer(&r->timer, jiffies + HZ);
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
	r->dying = false;
	r->seed = get_random_u32();
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
	hash = jhash_1word((__force u32)meta->id, hash);

	return &r->buckets[hash & (STT_REASM_BUCKETS - 1)];
}

static struct stt_reasm_frame *stt_reasm_lookup(struct hlist_head *bucket,
						const struct stt_rx_meta *meta)
{
	struct stt_reasm_frame *f;

	hlist_for_each_entry(f, bucket, hnode)
		if (f->id == meta->id && f->family == meta->family &&
		    ipv6_addr_equal(&f->saddr.v6, &meta->saddr.v6) &&
		    ipv6_addr_equal(&f->daddr.v6, &meta->daddr.v6))
			return f;
	return NULL;
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
	struct sk_buff **pp, *p, *prev = NULL;
	unsigned long now = jiffies;
	struct hlist_head *bucket;
	enum stt_stat why;
	LIST_HEAD(gc);

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
		f->family = meta->family;
		f->frame_len = meta->frame_len;
		f->first_seen = now;
		f->truesize = sizeof(*f);
		hlist_add_head(&f->hnode, bucket);
		list_add_tail(&f->lru, &r->lru);
		r->nframes++;
		r->bytes_held += f->truesize;
		if (!timer_pending(&r->timer))
			mod_timer(&r->timer, now + HZ);
	} else if (f->frame_len != meta->frame_len) {
		why = STT_STAT_REASM_LEN_MISMATCH;
		goto drop;
	}

	for (pp = &f->segs; (p = *pp); pp = &p->next) {
		if (STT_FRAG_CB(p)->offset >= meta->offset)
			break;
		prev = p;
	}
	if (prev &&
	    STT_FRAG_CB(prev)->offset + STT_FRAG_CB(prev)->len > meta->offset) {
		why = STT_STAT_REASM_OVERLAPS;
		goto drop;
	}
	if (p) {
		if (STT_FRAG_CB(p)->offset == meta->offset &&
		    STT_FRAG_CB(p)->len == meta->len) {
			why = STT_STAT_REASM_DUPLICATES;
			goto drop;
		}
		if (meta->offset + meta->len > STT_FRAG_CB(p)->offset) {
			why = STT_STAT_REASM_OVERLAPS;
			goto drop;
		}
	}

	skb->next = p;
	*pp = skb;
	f->rcvd += meta->len;
	f->truesize += skb->truesize;
	r->bytes_held += skb->truesize;
	if (INET_ECN_is_ce(meta->tos))
		f->ce = true;
	if (!meta->offset)
		f->head_meta = *meta;

	if (f->rcvd == f->frame_len) {
		stt_reasm_unlink(r, f, NULL);
		done = f;
	} else {
		while (r->bytes_held > cap && !list_empty(&r->lru)) {
			f = list_first_entry(&r->lru, struct stt_reasm_frame,
					     lru);
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
