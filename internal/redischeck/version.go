package redischeck

import (
	"fmt"
	"strconv"
	"strings"
)

// MinVersion is the oldest Redis Herald runs on. asynq alone needs 4.0;
// Herald's own keys need 6.2: GETDEL (connect's one-time states),
// XAUTOCLAIM (the events readers take over a dead reader's entries) and
// SET ... GET (analytics' reconnect notes). On an older Redis those
// commands fail only when first used, long after start-up.
const MinVersion = "6.2.0"

// versionFindings says what is wrong with a server of version v when
// Herald needs min: a problem below it, a warning when v cannot be read
// (a proxy or a Redis-compatible server may report none or its own).
func versionFindings(v, min string) (problem, warning string) {
	have, ok := parseVersion(v)
	if !ok {
		return "", fmt.Sprintf("Redis version %q unknown (INFO server gave no redis_version Herald can read): Herald needs Redis %s or later", v, min)
	}
	need, _ := parseVersion(min)
	for i := range need {
		if have[i] != need[i] {
			if have[i] < need[i] {
				return fmt.Sprintf("Redis %s is too old: Herald needs Redis %s or later (GETDEL, XAUTOCLAIM, SET ... GET); upgrade Redis", v, min), ""
			}
			break
		}
	}
	return "", ""
}

// parseVersion reads major.minor[.patch], ignoring any suffix after the
// numbers (6.2.0-rc1).
func parseVersion(v string) ([3]int, bool) {
	var out [3]int
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return out, false
	}
	for i, p := range parts {
		end := strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' })
		if end == 0 {
			return out, false
		}
		if end > 0 {
			p = p[:end]
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return out, false
		}
		out[i] = n
	}
	return out, true
}
