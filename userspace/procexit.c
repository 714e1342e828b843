// SPDX-License-Identifier: GPL-2.0
/*
 * A watched row's exit and died_s against each other and against pid and state,
 * as the module writes them (kmod/rowprint.c sw_show_exit): a row no module
 * writes is garbled, and garbled input is refused, never guessed at.
 */
#include <string.h>

#include "semwatch.h"

/* exit and died_s agree: a named end has a time; "-" or "?" stands in both. */
static const char *end_error(const char *exit_f, const char *died_f,
			     const struct sw_modrow *r)
{
	if (r->exit.kind > SW_END_NONE ? r->died_s < 0 : strcmp(exit_f, died_f))
		return "exit and died_s disagree (a named end has a time; "
		       "'-' and '?' go together)";
	return NULL;
}

/*
 * "-" for a hidden creator (pid "-"), whatever its state; else "-" (or "?")
 * while alive, a named end or "?" once dead, "?" unknown.
 */
static const char *state_error(const char *pid_f, const struct sw_modrow *r)
{
	int kind = r->exit.kind;

	if (!strcmp(pid_f, "-"))
		return kind == SW_END_NONE ? NULL :
			"exit of a hidden creator (pid '-') is not '-'";
	switch (r->state) {
	case SW_STATE_ALIVE:
		return kind <= SW_END_NONE ? NULL :
			"exit of an alive creator is not '-' or '?'";
	case SW_STATE_DEAD:
		return kind != SW_END_NONE ? NULL :
			"exit '-' of a dead creator whose pid is shown";
	default:
		return kind == SW_END_UNKNOWN ? NULL :
			"exit of a creator in state unknown is not '?'";
	}
}

/* NULL, or why the row (its raw pid, exit and died_s fields) is impossible. */
const char *sw_row_end_error(const char *pid_f, const char *exit_f,
			     const char *died_f, const struct sw_modrow *r)
{
	const char *why = end_error(exit_f, died_f, r);

	return why ? why : state_error(pid_f, r);
}
