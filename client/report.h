/*
 * report.h - the secretariat's overview of every review this client can
 * see (client/cmd_report.c builds it as JSON from the local state;
 * client/report_html.c renders that JSON as one self-contained HTML page).
 * The JSON document is the one `palermo --json report` prints; its fields
 * are listed in the usage text of `palermo report` and in palermo(1).
 */
#ifndef PALERMO_REPORT_H
#define PALERMO_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "keys/error.h"

/*
 * Writes REPORT as one HTML page on F: inline SVG bar charts (stages,
 * working languages, documents per kind), tables of missing members and
 * deadlines, and CSS for screen and print; no script, no external asset.
 * PLM_ERR_IO when F cannot be written.
 */
int report_html_write(FILE *f, const json_t *report, plm_error *err);

#endif
