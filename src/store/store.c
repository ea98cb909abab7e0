/*
 * store.c — LMDB behind Gyre's storage API, and the group-committing writer thread.
 *
 * Threads and locks (see docs/locking.md):
 *   - queue_lock guards the job queue (queue_head/queue_tail) and `closing`. Request threads
 *     append under it and signal queue_cond; the writer thread takes the whole queue at once.
 *   - Only the writer thread begins write transactions, so LMDB's own writer mutex is never
 *     contended. Read transactions use MDB_NOTLS and may be used on any thread.
 *
 * The batch loop: take every queued job (at most MAX_BATCH), begin one parent transaction, run
 * each job in a nested transaction (commit it if apply() returned 0, else abort it), commit the
 * parent (LMDB fsyncs here), then call every job's done(). A batch therefore costs one fsync
 * however many jobs it holds.
 */
#include "store/store.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "core/errors.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_BATCH 512

static const char *const db_names[GY_DB__COUNT] = {
    [GY_DB_META] = "meta",
    [GY_DB_CATALOG] = "catalog",
    [GY_DB_ITEMS] = "items",
    [GY_DB_STATS] = "stats",
    [GY_DB_INDEX] = "index",
    [GY_DB_CHANGES] = "changes",
    [GY_DB_STREAMS] = "streams",
    [GY_DB_REPL] = "repl",
    [GY_DB_KINESIS] = "kinesis",
};

struct gy_store {
    MDB_env *env;
    MDB_dbi dbi[GY_DB__COUNT];
    pthread_t writer;                /* the writer thread */
    pthread_mutex_t queue_lock;      /* guards the queue and closing */
    pthread_cond_t queue_cond;       /* signalled when a job arrives or on close */
    struct gy_store_job *queue_head; /* oldest job */
    struct gy_store_job *queue_tail; /* newest job */
    bool closing;                    /* no more jobs accepted */
    uint64_t commits;                /* group commits (writer thread only; read racily) */
    uint64_t jobs;                   /* jobs applied (writer thread only) */
    void (*commit_hook)(void *arg);  /* called after each successful commit (writer thread) */
    void *commit_hook_arg;
};

struct gy_store_cursor {
    MDB_cursor *cur;
    struct gy_store_cursor *next; /* in the transaction's list */
};

struct gy_store_txn {
    struct gy_store *s;
    MDB_txn *txn;
    bool write;
    struct gy_store_cursor *cursors; /* open cursors, closed at the end of a read txn */
};

static int map_rc(int rc)
{
    switch (rc) {
    case MDB_SUCCESS: return 0;
    case MDB_NOTFOUND: return GY_ENOTFOUND;
    case MDB_MAP_FULL:
    case MDB_TXN_FULL:
    case MDB_BAD_VALSIZE: return GY_ETOOBIG;
    case MDB_KEYEXIST: return GY_EEXIST;
    default:
        gy_log_error("store: %s", mdb_strerror(rc));
        return GY_EIO;
    }
}

static MDB_val val_of(struct gy_str s)
{
    return (MDB_val){ .mv_size = s.len, .mv_data = (void *)s.p };
}

static struct gy_str str_of(MDB_val v)
{
    return (struct gy_str){ v.mv_data, v.mv_size };
}

static void *writer_main(void *arg);

int gy_store_open(const char *dir, size_t map_size, struct gy_store **out)
{
    struct gy_store *s = gy_calloc(1, sizeof(*s));
    MDB_txn *txn = NULL;
    int rc;

    if (mkdir(dir, 0700) && errno != EEXIST) {
        gy_log_error("store: cannot create %s: %s", dir, strerror(errno));
        goto out_free;
    }
    rc = mdb_env_create(&s->env);
    if (rc)
        goto out_lmdb;
    mdb_env_set_maxdbs(s->env, 32);
    mdb_env_set_maxreaders(s->env, 1024);
    rc = mdb_env_set_mapsize(s->env, map_size);
    if (rc)
        goto out_env;
    /* MDB_NOTLS: read transactions are not bound to threads. Synced commits (no NOSYNC flags). */
    rc = mdb_env_open(s->env, dir, MDB_NOTLS | MDB_NORDAHEAD, 0600);
    if (rc)
        goto out_env;
    rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc)
        goto out_env;
    for (int i = 0; i < GY_DB__COUNT; i++) {
        rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
        if (rc)
            goto out_txn;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc)
        goto out_env;

    pthread_mutex_init(&s->queue_lock, NULL);
    pthread_cond_init(&s->queue_cond, NULL);
    if (pthread_create(&s->writer, NULL, writer_main, s)) {
        gy_log_error("store: cannot start the writer thread");
        goto out_env;
    }
    *out = s;
    return 0;

out_txn:
    mdb_txn_abort(txn);
out_env:
    mdb_env_close(s->env);
out_lmdb:
    gy_log_error("store: cannot open %s: %s", dir, mdb_strerror(rc));
out_free:
    gy_free(s);
    return GY_EIO;
}

void gy_store_close(struct gy_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->queue_lock);
    s->closing = true;
    pthread_cond_signal(&s->queue_cond);
    pthread_mutex_unlock(&s->queue_lock);
    pthread_join(s->writer, NULL);
    mdb_env_sync(s->env, 1);
    mdb_env_close(s->env);
    pthread_mutex_destroy(&s->queue_lock);
    pthread_cond_destroy(&s->queue_cond);
    gy_free(s);
}

int gy_store_read_begin(struct gy_store *s, struct gy_store_txn **out)
{
    struct gy_store_txn *t = gy_malloc(sizeof(*t));
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t->txn);
    if (rc) {
        gy_free(t);
        return map_rc(rc);
    }
    t->s = s;
    t->write = false;
    t->cursors = NULL;
    *out = t;
    return 0;
}

void gy_store_read_end(struct gy_store_txn *t)
{
    if (!t)
        return;
    while (t->cursors) {
        struct gy_store_cursor *c = t->cursors;
        t->cursors = c->next;
        mdb_cursor_close(c->cur);
        gy_free(c);
    }
    mdb_txn_abort(t->txn);
    gy_free(t);
}

int gy_store_get(struct gy_store_txn *t, enum gy_store_db db, struct gy_str key, struct gy_str *val)
{
    MDB_val k = val_of(key), v;
    int rc = mdb_get(t->txn, t->s->dbi[db], &k, &v);
    if (rc)
        return map_rc(rc);
    *val = str_of(v);
    return 0;
}

int gy_store_put(struct gy_store_txn *t, enum gy_store_db db, struct gy_str key, struct gy_str val)
{
    MDB_val k = val_of(key), v = val_of(val);
    gy_assert(t->write);
    return map_rc(mdb_put(t->txn, t->s->dbi[db], &k, &v, 0));
}

int gy_store_del(struct gy_store_txn *t, enum gy_store_db db, struct gy_str key)
{
    MDB_val k = val_of(key);
    gy_assert(t->write);
    return map_rc(mdb_del(t->txn, t->s->dbi[db], &k, NULL));
}

int gy_store_cursor_open(struct gy_store_txn *t, enum gy_store_db db, struct gy_store_cursor **out)
{
    struct gy_store_cursor *c = gy_malloc(sizeof(*c));
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &c->cur);
    if (rc) {
        gy_free(c);
        return map_rc(rc);
    }
    c->next = t->cursors;
    t->cursors = c;
    *out = c;
    return 0;
}

void gy_store_cursor_close(struct gy_store_cursor *c)
{
    /* Cursors stay on the transaction's list; closing early only releases LMDB's state. */
    (void)c;
}

static int cursor_get(struct gy_store_cursor *c, MDB_val *k, MDB_val *v, MDB_cursor_op op,
                      struct gy_str *ko, struct gy_str *vo)
{
    int rc = mdb_cursor_get(c->cur, k, v, op);
    if (rc)
        return map_rc(rc);
    if (ko)
        *ko = str_of(*k);
    if (vo)
        *vo = str_of(*v);
    return 0;
}

int gy_store_cursor_seek(struct gy_store_cursor *c, struct gy_str key, struct gy_str *k, struct gy_str *v)
{
    MDB_val mk = val_of(key), mv;
    if (key.len == 0)
        return cursor_get(c, &mk, &mv, MDB_FIRST, k, v);
    return cursor_get(c, &mk, &mv, MDB_SET_RANGE, k, v);
}

int gy_store_cursor_seek_le(struct gy_store_cursor *c, struct gy_str key, struct gy_str *k,
                            struct gy_str *v)
{
    MDB_val mk = val_of(key), mv;
    int rc = mdb_cursor_get(c->cur, &mk, &mv, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        return cursor_get(c, &mk, &mv, MDB_LAST, k, v);
    if (rc)
        return map_rc(rc);
    if (mk.mv_size == key.len && memcmp(mk.mv_data, key.p, key.len) == 0) {
        if (k)
            *k = str_of(mk);
        if (v)
            *v = str_of(mv);
        return 0;
    }
    return cursor_get(c, &mk, &mv, MDB_PREV, k, v);
}

int gy_store_cursor_next(struct gy_store_cursor *c, struct gy_str *k, struct gy_str *v)
{
    MDB_val mk, mv;
    return cursor_get(c, &mk, &mv, MDB_NEXT, k, v);
}

int gy_store_cursor_prev(struct gy_store_cursor *c, struct gy_str *k, struct gy_str *v)
{
    MDB_val mk, mv;
    return cursor_get(c, &mk, &mv, MDB_PREV, k, v);
}

int gy_store_cursor_del(struct gy_store_cursor *c)
{
    return map_rc(mdb_cursor_del(c->cur, 0));
}

int gy_store_submit(struct gy_store *s, struct gy_store_job *job)
{
    job->next = NULL;
    job->rc = 0;
    pthread_mutex_lock(&s->queue_lock);
    if (s->closing) {
        pthread_mutex_unlock(&s->queue_lock);
        return GY_ECLOSED;
    }
    if (s->queue_tail)
        s->queue_tail->next = job;
    else
        s->queue_head = job;
    s->queue_tail = job;
    pthread_cond_signal(&s->queue_cond);
    pthread_mutex_unlock(&s->queue_lock);
    return 0;
}

/* Run one job in a nested transaction of parent. */
static void apply_job(struct gy_store *s, MDB_txn *parent, struct gy_store_job *job)
{
    struct gy_store_txn t = { .s = s, .write = true, .cursors = NULL };
    int rc = mdb_txn_begin(s->env, parent, 0, &t.txn);
    if (rc) {
        job->rc = map_rc(rc);
        return;
    }
    job->rc = job->apply(&t, job->arg);
    /* Cursors of write transactions are freed by LMDB at txn end; free our wrappers. */
    while (t.cursors) {
        struct gy_store_cursor *c = t.cursors;
        t.cursors = c->next;
        gy_free(c);
    }
    if (job->rc) {
        mdb_txn_abort(t.txn);
        return;
    }
    rc = mdb_txn_commit(t.txn);
    if (rc)
        job->rc = map_rc(rc);
}

static void *writer_main(void *arg)
{
    struct gy_store *s = arg;

    for (;;) {
        pthread_mutex_lock(&s->queue_lock);
        while (!s->queue_head && !s->closing)
            pthread_cond_wait(&s->queue_cond, &s->queue_lock);
        if (!s->queue_head) {
            pthread_mutex_unlock(&s->queue_lock);
            break;
        }
        struct gy_store_job *batch = s->queue_head, *last = batch;
        int n = 1;
        while (last->next && n < MAX_BATCH) {
            last = last->next;
            n++;
        }
        s->queue_head = last->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&s->queue_lock);

        MDB_txn *parent = NULL;
        int rc = mdb_txn_begin(s->env, NULL, 0, &parent);
        if (rc == 0) {
            for (struct gy_store_job *j = batch; j; j = j->next)
                apply_job(s, parent, j);
            rc = mdb_txn_commit(parent);
        }
        int commit_rc = rc ? map_rc(rc) : 0;
        if (commit_rc)
            gy_log_error("store: group commit of %d jobs failed: %s", n, mdb_strerror(rc));
        else {
            void (*hook)(void *) = __atomic_load_n(&s->commit_hook, __ATOMIC_ACQUIRE);
            if (hook)
                hook(__atomic_load_n(&s->commit_hook_arg, __ATOMIC_RELAXED));
        }
        __atomic_add_fetch(&s->commits, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&s->jobs, (uint64_t)n, __ATOMIC_RELAXED);
        for (struct gy_store_job *j = batch, *next; j; j = next) {
            next = j->next; /* done() may free the job */
            if (j->done)
                j->done(j->arg, commit_rc ? (j->rc ? j->rc : GY_EIO) : j->rc);
        }
    }
    return NULL;
}

struct sync_run {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished;
    int rc;
};

struct sync_job {
    struct gy_store_job job;
    int (*apply)(struct gy_store_txn *, void *);
    void *arg;
    struct sync_run run;
};

static int sync_apply(struct gy_store_txn *t, void *arg)
{
    struct sync_job *sj = arg;
    return sj->apply(t, sj->arg);
}

static void sync_finish(void *arg, int rc)
{
    struct sync_job *sj = arg;
    pthread_mutex_lock(&sj->run.lock);
    sj->run.rc = rc;
    sj->run.finished = true;
    pthread_cond_signal(&sj->run.cond);
    pthread_mutex_unlock(&sj->run.lock);
}

int gy_store_run(struct gy_store *s, int (*apply)(struct gy_store_txn *txn, void *arg), void *arg)
{
    struct sync_job sj = { .apply = apply, .arg = arg };
    pthread_mutex_init(&sj.run.lock, NULL);
    pthread_cond_init(&sj.run.cond, NULL);
    sj.job.apply = sync_apply;
    sj.job.done = sync_finish;
    sj.job.arg = &sj;
    int rc = gy_store_submit(s, &sj.job);
    if (rc == 0) {
        pthread_mutex_lock(&sj.run.lock);
        while (!sj.run.finished)
            pthread_cond_wait(&sj.run.cond, &sj.run.lock);
        pthread_mutex_unlock(&sj.run.lock);
        rc = sj.run.rc;
    }
    pthread_mutex_destroy(&sj.run.lock);
    pthread_cond_destroy(&sj.run.cond);
    return rc;
}

void gy_store_set_commit_hook(struct gy_store *s, void (*fn)(void *arg), void *arg)
{
    __atomic_store_n(&s->commit_hook, NULL, __ATOMIC_RELEASE);
    __atomic_store_n(&s->commit_hook_arg, arg, __ATOMIC_RELAXED);
    __atomic_store_n(&s->commit_hook, fn, __ATOMIC_RELEASE);
}

void gy_store_get_stats(struct gy_store *s, struct gy_store_stats *out)
{
    out->commits = __atomic_load_n(&s->commits, __ATOMIC_RELAXED);
    out->jobs = __atomic_load_n(&s->jobs, __ATOMIC_RELAXED);
}
