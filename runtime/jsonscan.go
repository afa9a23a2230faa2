package runtime

import (
	"strings"

	"github.com/wowrt/wow/internal/jsonscan"
)

// hasTopLevelKey reports whether the JSON object v has a key equal to key
// under encoding/json's case-insensitive matching. ok is false when v is
// not a plain object jsonscan reads (escaped keys, malformed input): the
// caller then asks encoding/json.
func hasTopLevelKey(v []byte, key string) (found, ok bool) {
	ok = jsonscan.Object(v, func(k, _ []byte) bool {
		found = strings.EqualFold(string(k), key)
		return !found
	})
	return found, ok || found
}
