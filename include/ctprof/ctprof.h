/* SPDX-License-Identifier: MIT */
/* libctprof: include this to get every public module. */
#ifndef CTPROF_CTPROF_H
#define CTPROF_CTPROF_H

#include <ctprof/common.h>
#include <ctprof/snapshot.h>
#include <ctprof/taskstats.h>
#include <ctprof/capture.h>
#include <ctprof/probe.h>
#include <ctprof/interval.h>
#include <ctprof/compare.h>
#include <ctprof/verdict.h>
#include <ctprof/render.h>
#include <ctprof/run.h>

#endif
