/* SPDX-License-Identifier: MIT */
/* ctprof-harness: placeholder entry point, replaced by the command table. */
#include <stdio.h>
#include <ctprof/ctprof.h>

int main(void)
{
	printf("ctprof-harness %s\n", ctprof_version());
	return 0;
}
