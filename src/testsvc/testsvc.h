/*
 * testsvc.h — the protocol fixtures: one small echo service per AWS protocol (models in
 * tests/e2e/models/), registered only when GYRE_TEST_SERVICES=1, so that the e2e tests prove
 * each codec of the protocol layer against the real clients' parsers with every shape kind.
 * They store nothing and exist for tests only. See docs/protocols.md.
 */
#ifndef GY_TESTSVC_TESTSVC_H
#define GY_TESTSVC_TESTSVC_H

struct gy_aws_router;

/** Register the fixtures with the router when GYRE_TEST_SERVICES=1 is set. */
void gy_testsvc_register(struct gy_aws_router *router);

#endif
