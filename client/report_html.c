/*
 * report_html.c - the report of `palermo report --html` as one HTML page
 * (see report.h): everything inline, no script, no font, no image file,
 * so that it can be mailed, archived and printed as it is. The charts are
 * SVG bar charts, each with a <title> and a text label and value on every
 * bar, so that they read without colour and with a screen reader.
 */
#include "client/report.h"

#include <string.h>
#include <time.h>

#define CHART_WIDTH 640
#define CHART_LABEL 270 /* width of the label column */
#define CHART_BAR_MAX 320
#define CHART_ROW 26
#define CHART_LABEL_CHARS 32 /* longer labels are shortened (in full on hover) */

static const char page_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>Palermo: status of the reviews</title>\n"
    "<style>\n"
    "body { font-family: \"DejaVu Sans\", \"Liberation Sans\", Arial, sans-serif;"
    " color: #1d2430; margin: 2rem auto; max-width: 60rem; padding: 0 1rem;"
    " line-height: 1.4; }\n"
    "h1 { font-size: 1.6rem; margin-bottom: .2rem; }\n"
    "h2 { font-size: 1.15rem; border-bottom: 2px solid #1d5c96; padding-bottom: .2rem;"
    " margin-top: 2rem; }\n"
    ".lede { color: #4a5566; margin-top: 0; }\n"
    ".figures { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1.5rem 0; }\n"
    ".figure { border: 1px solid #c9d2de; border-radius: 6px; padding: .6rem 1rem;"
    " min-width: 9rem; }\n"
    ".figure b { display: block; font-size: 1.8rem; }\n"
    ".figure.alert b { color: #b3261e; }\n"
    "table { border-collapse: collapse; width: 100%; font-size: .92rem; }\n"
    "th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dde3ea; }\n"
    "th { background: #eef2f7; }\n"
    "td.num, th.num { text-align: right; }\n"
    "td:first-child { white-space: nowrap; }\n"
    ".overdue { color: #b3261e; font-weight: bold; }\n"
    ".none { color: #4a5566; font-style: italic; }\n"
    "svg.chart { display: block; max-width: 100%; height: auto; }\n"
    "svg.chart text { font-size: 13px; fill: #1d2430; }\n"
    "svg.chart .bar { fill: #1d5c96; }\n"
    "svg.chart .bar.zero { fill: #c9d2de; }\n"
    "svg.chart .axis { stroke: #8a96a8; stroke-width: 1; }\n"
    "footer { margin-top: 2.5rem; font-size: .8rem; color: #4a5566; }\n"
    "@page { size: A4; margin: 15mm; }\n"
    "@media print {\n"
    "  body { margin: 0; max-width: none; font-size: 10.5pt; }\n"
    "  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    "  section { break-inside: avoid; page-break-inside: avoid; }\n"
    "  h2 { break-after: avoid; }\n"
    "  .figure { border-color: #888; }\n"
    "}\n"
    "</style>\n</head>\n<body>\n";

/* Writes S with the five characters HTML treats specially escaped. */
static void put_text(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Writes S escaped, cut to CHART_LABEL_CHARS bytes (at a character boundary) with "...". */
static void put_short(FILE *f, const char *s)
{
	char cut[CHART_LABEL_CHARS + 1];
	size_t n = strlen(s);

	if (n <= CHART_LABEL_CHARS) {
		put_text(f, s);
		return;
	}
	n = CHART_LABEL_CHARS - 1;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--; /* not inside a UTF-8 sequence */
	memcpy(cut, s, n);
	cut[n] = '\0';
	put_text(f, cut);
	fputs("&#8230;", f);
}

/* One table cell holding TEXT, escaped. */
static void put_cell(FILE *f, const char *text)
{
	fputs("<td>", f);
	put_text(f, text);
	fputs("</td>", f);
}

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "";
}

static long long num(const json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

/* "2026-12-06" for Unix time T. */
static void day_of(long long t, char out[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/*
 * A horizontal bar chart of ITEMS (objects), one bar per item: the label
 * is LABEL_KEY (or FALLBACK_KEY when that is null), the value VALUE_KEY.
 * ID names the chart (its <title> is ID-title); TITLE describes it.
 */
static void bar_chart(FILE *f, const char *id, const char *title, const json_t *items,
                      const char *label_key, const char *fallback_key,
                      const char *value_key)
{
	size_t n = json_array_size(items), i;
	long long max = 1, v;
	int height = (int)(n ? n : 1) * CHART_ROW + 16, y, w;
	const json_t *item;
	const char *label;

	json_array_foreach(items, i, item) if ((v = num(item, value_key)) > max) max = v;
	fprintf(f,
	        "<svg class=\"chart\" id=\"%s\" role=\"img\" aria-labelledby=\"%s-title\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\">\n<title id=\"%s-title\">",
	        id, id, CHART_WIDTH, height, CHART_WIDTH, height, id);
	put_text(f, title);
	fputs("</title>\n", f);
	if (n == 0)
		fprintf(f, "<text x=\"%d\" y=\"20\">nothing to show</text>\n", CHART_LABEL);
	json_array_foreach(items, i, item)
	{
		label = json_string_value(json_object_get(item, label_key));
		if (label == NULL)
			label = str(item, fallback_key);
		v = num(item, value_key);
		y = (int)i * CHART_ROW + 8;
		w = v > 0 ? (int)(v * CHART_BAR_MAX / max) : 0;
		fprintf(f, "<g class=\"row\">\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		        CHART_LABEL - 8, y + 15);
		put_short(f, label);
		fprintf(f,
		        "</text>\n<rect class=\"bar%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
		        "height=\"%d\" rx=\"2\"><title>",
		        v > 0 ? "" : " zero", CHART_LABEL, y + 2, w > 2 ? w : 2, CHART_ROW - 8);
		put_text(f, label);
		fprintf(f, ": %lld</title></rect>\n<text class=\"value\" x=\"%d\" y=\"%d\">%lld</text>\n</g>\n",
		        v, CHART_LABEL + (w > 2 ? w : 2) + 6, y + 15, v);
	}
	fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\"/>\n</svg>\n",
	        CHART_LABEL, CHART_LABEL, height - 4);
}

/* One headline figure; ALERT when non-zero is bad news. */
static void figure(FILE *f, long long value, const char *what, int alert)
{
	fprintf(f, "<div class=\"figure%s\"><b>%lld</b>", alert && value > 0 ? " alert" : "",
	        value);
	put_text(f, what);
	fputs("</div>\n", f);
}

/* The table of deadlines LIST (overdue when OVERDUE). */
static void deadline_table(FILE *f, const json_t *list, int overdue)
{
	const json_t *item;
	char due[16];
	size_t i;

	if (json_array_size(list) == 0) {
		fputs("<p class=\"none\">None.</p>\n", f);
		return;
	}
	fprintf(f, "<table>\n<tr><th>review</th><th>deadline</th><th>due</th>"
	           "<th class=\"num\">%s</th></tr>\n",
	        overdue ? "days overdue" : "days left");
	json_array_foreach(list, i, item)
	{
		day_of(num(item, "due"), due);
		fputs("<tr>", f);
		put_cell(f, str(item, "review"));
		put_cell(f, str(item, "title"));
		fprintf(f, "<td>%s</td><td class=\"num%s\">%lld</td></tr>\n", due,
		        overdue ? " overdue" : "",
		        overdue ? -num(item, "days_left") : num(item, "days_left"));
	}
	fputs("</table>\n", f);
}

static void missing_table(FILE *f, const json_t *list)
{
	const json_t *item;
	size_t i;

	if (json_array_size(list) == 0) {
		fputs("<p class=\"none\">Every party has a focal point and an expert.</p>\n", f);
		return;
	}
	fputs("<table>\n<tr><th>review</th><th>State</th><th>missing</th></tr>\n", f);
	json_array_foreach(list, i, item)
	{
		fputs("<tr>", f);
		put_cell(f, str(item, "review"));
		put_cell(f, str(item, "state"));
		put_cell(f, str(item, "role_title"));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void reviews_table(FILE *f, const json_t *list)
{
	const json_t *item, *v;
	const char *key;
	long long docs;
	size_t i, j;

	if (json_array_size(list) == 0) {
		fputs("<p class=\"none\">No review is known here yet: run "
		      "<code>palermo sync</code>.</p>\n", f);
		return;
	}
	fputs("<table>\n<tr><th>review</th><th>SUR</th><th>cluster</th><th>stage</th>"
	      "<th>languages</th><th class=\"num\">members</th>"
	      "<th class=\"num\">documents</th></tr>\n", f);
	json_array_foreach(list, i, item)
	{
		docs = 0;
		json_object_foreach(json_object_get(item, "documents"), key, v)
		    docs += (long long)json_integer_value(v);
		fputs("<tr>", f);
		put_cell(f, str(item, "review"));
		put_cell(f, str(item, "sur"));
		put_cell(f, str(item, "cluster"));
		put_cell(f, json_string_value(json_object_get(item, "stage_title"))
		                ? str(item, "stage_title") : str(item, "stage"));
		fputs("<td>", f);
		json_array_foreach(json_object_get(item, "languages"), j, v)
		{
			if (j > 0)
				fputs(", ", f);
			put_text(f, json_string_value(v));
		}
		fprintf(f, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>\n",
		        num(item, "members"), docs);
	}
	fputs("</table>\n", f);
}

int report_html_write(FILE *f, const json_t *report, plm_error *err)
{
	char day[16], as_of[16], soon[96];

	day_of(num(report, "generated_at"), day);
	day_of(num(report, "as_of"), as_of);
	fputs(page_head, f);
	fprintf(f, "<header>\n<h1>Status of the reviews</h1>\n<p class=\"lede\">%zu "
	           "review(s) known to this client as of its last sync; report of %s, "
	           "deadlines as of %s (UTC). Built from rosters, stage records and the "
	           "kinds of documents only: no document was decrypted.</p>\n</header>\n",
	        json_array_size(json_object_get(report, "reviews")), day, as_of);
	fputs("<section class=\"figures\">\n", f);
	figure(f, (long long)json_array_size(json_object_get(report, "reviews")), "reviews", 0);
	figure(f, (long long)json_array_size(json_object_get(report, "overdue")),
	       "deadlines overdue", 1);
	snprintf(soon, sizeof(soon), "due within %lld days", num(report, "soon_days"));
	figure(f, (long long)json_array_size(json_object_get(report, "due_soon")), soon, 1);
	figure(f, (long long)json_array_size(json_object_get(report, "missing")),
	       "focal points and experts missing", 1);
	fputs("</section>\n", f);
	fputs("<section>\n<h2>Reviews by stage</h2>\n", f);
	bar_chart(f, "chart-stages", "Number of reviews in each stage",
	          json_object_get(report, "stages"), "title", "name", "reviews");
	fputs("</section>\n<section>\n<h2>Deadlines overdue</h2>\n", f);
	deadline_table(f, json_object_get(report, "overdue"), 1);
	fprintf(f, "</section>\n<section>\n<h2>Deadlines %s</h2>\n", soon);
	deadline_table(f, json_object_get(report, "due_soon"), 0);
	fputs("</section>\n<section>\n<h2>Missing focal points and experts</h2>\n", f);
	missing_table(f, json_object_get(report, "missing"));
	fputs("</section>\n<section>\n<h2>Working languages</h2>\n", f);
	bar_chart(f, "chart-languages", "Number of reviews working in each language",
	          json_object_get(report, "languages"), "name", "language", "reviews");
	fputs("</section>\n<section>\n<h2>Documents by kind</h2>\n", f);
	bar_chart(f, "chart-documents", "Number of documents of each kind",
	          json_object_get(report, "documents"), "title", "kind", "documents");
	fputs("</section>\n<section>\n<h2>Reviews</h2>\n", f);
	reviews_table(f, json_object_get(report, "reviews"));
	fputs("</section>\n<footer>Palermo report. Every figure comes from records this "
	      "client verified against the deployment's root and the transparency log."
	      "</footer>\n</body>\n</html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return plm_error_set(err, PLM_ERR_IO,
		                     "cannot write the HTML report; check the disk has space");
	return 0;
}
