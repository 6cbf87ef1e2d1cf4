/* SPDX-License-Identifier: MIT */
/*
 * An out-of-tree user of an installed libctprof: load one snapshot through
 * the public API and print its thread count. Built by
 * tests/sh/install_consumer.sh with CMake find_package(ctprof) and with
 * pkg-config.
 */
#include <stdio.h>
#include <ctprof/ctprof.h>

int main(int argc, char **argv)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *snap = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	if (ctprof_snapshot_load(argv[1], &snap, &err) < 0) {
		fprintf(stderr, "consumer: %s\n", err.msg);
		return 1;
	}
	printf("libctprof %s: %zu threads\n", ctprof_version(), snap->n_threads);
	ctprof_snapshot_free(snap);
	return 0;
}
