/*
 * test_store.c — unit tests for src/store: durability across reopen, group commit of
 * concurrent jobs, per-job rollback inside a shared commit, cursors, and read snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "core/errors.h"
#include "store/store.h"

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/gyre-test-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct kv {
    const char *k, *v;
    int fail; /* return this from apply after writing */
};

static int put_apply(struct gy_store_txn *txn, void *arg)
{
    struct kv *kv = arg;
    int rc = gy_store_put(txn, GY_DB_META, gy_str_c(kv->k), gy_str_c(kv->v));
    return rc ? rc : kv->fail;
}

static void test_put_get_reopen(void **state)
{
    struct gy_store *s;
    struct gy_store_txn *t;
    struct gy_str v;
    assert_int_equal(gy_store_open(dir, 1 << 26, &s), 0);
    struct kv kv = { "alpha", "one", 0 };
    assert_int_equal(gy_store_run(s, put_apply, &kv), 0);
    gy_store_close(s);
    assert_int_equal(gy_store_open(dir, 1 << 26, &s), 0);
    assert_int_equal(gy_store_read_begin(s, &t), 0);
    assert_int_equal(gy_store_get(t, GY_DB_META, GY_STR("alpha"), &v), 0);
    assert_memory_equal(v.p, "one", 3);
    assert_int_equal(gy_store_get(t, GY_DB_META, GY_STR("beta"), &v), GY_ENOTFOUND);
    gy_store_read_end(t);
    gy_store_close(s);
}

struct done_count {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done, ok, failed;
};

struct job {
    struct gy_store_job job;
    struct kv kv;
    char key[32];
    struct done_count *dc;
};

static void job_done(void *arg, int rc)
{
    struct job *j = arg;
    pthread_mutex_lock(&j->dc->lock);
    j->dc->done++;
    if (rc == 0)
        j->dc->ok++;
    else
        j->dc->failed++;
    pthread_cond_signal(&j->dc->cond);
    pthread_mutex_unlock(&j->dc->lock);
}

static int job_apply(struct gy_store_txn *txn, void *arg)
{
    struct job *j = arg;
    return put_apply(txn, &j->kv);
}

static void test_group_commit(void **state)
{
    struct gy_store *s;
    enum { N = 3000 };
    static struct job jobs[N];
    struct done_count dc = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };
    struct gy_store_stats st;
    assert_int_equal(gy_store_open(dir, 1 << 26, &s), 0);
    for (int i = 0; i < N; i++) {
        snprintf(jobs[i].key, sizeof(jobs[i].key), "g%05d", i);
        jobs[i].kv = (struct kv){ jobs[i].key, "v", (i % 7 == 0) ? GY_EAWS : 0 };
        jobs[i].dc = &dc;
        jobs[i].job.apply = job_apply;
        jobs[i].job.done = job_done;
        jobs[i].job.arg = &jobs[i];
        assert_int_equal(gy_store_submit(s, &jobs[i].job), 0);
    }
    pthread_mutex_lock(&dc.lock);
    while (dc.done < N)
        pthread_cond_wait(&dc.cond, &dc.lock);
    pthread_mutex_unlock(&dc.lock);
    int fails = (N + 6) / 7;
    assert_int_equal(dc.failed, fails);
    assert_int_equal(dc.ok, N - fails);
    gy_store_get_stats(s, &st);
    assert_true(st.jobs >= N);
    assert_true(st.commits < st.jobs); /* jobs shared commits */

    /* A failed job rolled back alone: its key is absent, its neighbours present. */
    struct gy_store_txn *t;
    struct gy_str v;
    assert_int_equal(gy_store_read_begin(s, &t), 0);
    assert_int_equal(gy_store_get(t, GY_DB_META, GY_STR("g00007"), &v), GY_ENOTFOUND);
    assert_int_equal(gy_store_get(t, GY_DB_META, GY_STR("g00008"), &v), 0);
    assert_int_equal(gy_store_get(t, GY_DB_META, GY_STR("g00006"), &v), 0);

    /* Cursors: ordered iteration, seek and seek_le. */
    struct gy_store_cursor *c;
    struct gy_str k;
    assert_int_equal(gy_store_cursor_open(t, GY_DB_META, &c), 0);
    assert_int_equal(gy_store_cursor_seek(c, GY_STR("g00007"), &k, &v), 0);
    assert_memory_equal(k.p, "g00008", 6);
    assert_int_equal(gy_store_cursor_seek_le(c, GY_STR("g00007"), &k, &v), 0);
    assert_memory_equal(k.p, "g00006", 6);
    assert_int_equal(gy_store_cursor_prev(c, &k, &v), 0);
    assert_memory_equal(k.p, "g00005", 6);
    gy_store_read_end(t);
    gy_store_close(s);
}

static void test_snapshot_isolation(void **state)
{
    struct gy_store *s;
    struct gy_store_txn *t;
    struct gy_str v;
    assert_int_equal(gy_store_open(dir, 1 << 26, &s), 0);
    struct kv a = { "snap", "before", 0 };
    assert_int_equal(gy_store_run(s, put_apply, &a), 0);
    assert_int_equal(gy_store_read_begin(s, &t), 0);
    struct kv b = { "snap", "after", 0 };
    assert_int_equal(gy_store_run(s, put_apply, &b), 0); /* a writer is not blocked by the reader */
    assert_int_equal(gy_store_get(t, GY_DB_META, GY_STR("snap"), &v), 0);
    assert_memory_equal(v.p, "before", 6);
    gy_store_read_end(t);
    gy_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_isolation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
