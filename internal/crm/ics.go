package crm

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// renderICS writes appointments as an RFC 5545 calendar: one VTIMEZONE
// describing loc's offsets from a year before from to a year after to,
// and one VEVENT per appointment with its times local to that zone (TZID),
// its id as UID, its version as SEQUENCE and STATUS:CANCELLED once
// canceled. Lines end in CRLF and fold at 75 octets; text is escaped.
func renderICS(items []Appointment, loc *time.Location, from, to, now time.Time) []byte {
	w := &icsWriter{}
	w.prop("BEGIN", "VCALENDAR")
	w.prop("VERSION", "2.0")
	w.prop("PRODID", "-//realty//appointments//EN")
	w.prop("CALSCALE", "GREGORIAN")
	w.prop("METHOD", "PUBLISH")
	w.prop("X-WR-CALNAME", "realty appointments")
	w.prop("X-WR-TIMEZONE", loc.String())
	w.prop("REFRESH-INTERVAL;VALUE=DURATION", "PT15M")
	w.prop("X-PUBLISHED-TTL", "PT15M")
	vtimezone(w, loc, from.AddDate(-1, 0, 0), to.AddDate(1, 0, 0))
	for _, a := range items {
		vevent(w, a, loc)
	}
	w.prop("END", "VCALENDAR")
	return []byte(w.b.String())
}

// icsStatus is an appointment's STATUS in a calendar.
var icsStatus = map[string]string{"scheduled": "TENTATIVE", "confirmed": "CONFIRMED", "completed": "CONFIRMED",
	"no_show": "CONFIRMED", "canceled": "CANCELLED"}

func vevent(w *icsWriter, a Appointment, loc *time.Location) {
	tzid := ";TZID=" + paramValue(loc.String())
	w.prop("BEGIN", "VEVENT")
	w.prop("UID", a.ID.String()+"@realty")
	w.prop("DTSTAMP", utcStamp(a.UpdatedAt))
	w.prop("CREATED", utcStamp(a.CreatedAt))
	w.prop("LAST-MODIFIED", utcStamp(a.UpdatedAt))
	w.prop("SEQUENCE", strconv.Itoa(max(a.Version-1, 0)))
	w.prop("DTSTART"+tzid, a.StartsAt.In(loc).Format(localLayout))
	w.prop("DTEND"+tzid, a.EndsAt.In(loc).Format(localLayout))
	w.prop("SUMMARY", escapeText(a.Title))
	w.prop("CATEGORIES", escapeText(a.Kind))
	w.prop("STATUS", icsStatus[a.Status])
	if a.Location != nil {
		w.prop("LOCATION", escapeText(*a.Location))
	}
	desc := derefOr(a.Notes, "")
	if a.CancellationReason != nil {
		desc = strings.TrimSpace("Canceled: " + *a.CancellationReason + "\n\n" + desc)
	}
	if desc != "" {
		w.prop("DESCRIPTION", escapeText(desc))
	}
	w.prop("END", "VEVENT")
}

const localLayout = "20060102T150405"

func utcStamp(t time.Time) string { return t.UTC().Format(localLayout) + "Z" }

// vtimezone describes loc between from and to: the offset in force at from
// (as an observance from 1970, so any earlier time reads the same), then
// one observance per change of offset or name, each starting at the wall
// time the change happens in the offset it ends.
func vtimezone(w *icsWriter, loc *time.Location, from, to time.Time) {
	w.prop("BEGIN", "VTIMEZONE")
	w.prop("TZID", escapeText(loc.String()))
	t := from.In(loc)
	name, off := t.Zone()
	observance(w, t.IsDST(), "19700101T000000", off, off, name)
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.After(t) || end.After(to) {
			break
		}
		_, prev := t.Zone()
		t = end.In(loc)
		name, off = t.Zone()
		observance(w, t.IsDST(), end.In(time.FixedZone("", prev)).Format(localLayout), prev, off, name)
	}
	w.prop("END", "VTIMEZONE")
}

func observance(w *icsWriter, dst bool, start string, from, to int, name string) {
	kind := "STANDARD"
	if dst {
		kind = "DAYLIGHT"
	}
	w.prop("BEGIN", kind)
	w.prop("DTSTART", start)
	w.prop("TZOFFSETFROM", utcOffset(from))
	w.prop("TZOFFSETTO", utcOffset(to))
	if name != "" {
		w.prop("TZNAME", escapeText(name))
	}
	w.prop("END", kind)
}

// utcOffset writes seconds east of UTC as RFC 5545's UTC-OFFSET: ±hhmm,
// or ±hhmmss when there are seconds.
func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec%3600/60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and newline; carriage returns and other control characters go.
func escapeText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// paramValue quotes a parameter value holding ":", ";" or ",".
func paramValue(s string) string {
	if strings.ContainsAny(s, ":;,") {
		return `"` + strings.ReplaceAll(s, `"`, "") + `"`
	}
	return s
}

// icsWriter writes content lines folded at 75 octets (RFC 5545 3.1),
// never inside a UTF-8 sequence, each ending in CRLF.
type icsWriter struct{ b strings.Builder }

func (w *icsWriter) prop(name, value string) {
	line := name + ":" + value
	n := 0
	for len(line) > 0 {
		limit := 75
		if n > 0 {
			w.b.WriteByte(' ')
			limit = 74
		}
		cut := min(limit, len(line))
		for cut < len(line) && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.b.WriteString(line[:cut])
		w.b.WriteString("\r\n")
		line = line[cut:]
		n++
	}
}
