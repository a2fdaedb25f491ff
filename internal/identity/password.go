package identity

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"realty"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// Argon2Params are the argon2id cost settings for new hashes; every hash
// records its own, so changing them never breaks existing passwords.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// OWASPArgon2 is the OWASP Password Storage Cheat Sheet's argon2id setting:
// 19 MiB, two passes, one thread.
var OWASPArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// hashPassword returns a PHC-format argon2id hash with a fresh 16-byte salt.
func hashPassword(password string, p Argon2Params) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// verifyPassword reports whether password matches the PHC hash, comparing in
// constant time. A malformed hash never matches.
func verifyPassword(password, hash string) bool {
	var p Argon2Params
	var version int
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || p.Memory > 1<<20 || p.Time > 10 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("identity: embedded password list unreadable: " + err.Error())
	}
	set := make(map[string]struct{}, 50000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		set[sc.Text()] = struct{}{}
	}
	return set
})

// CheckPassword returns an Invalid error naming field when password is too
// short, too long, or common: on the list, a listed word with digits or
// symbols after it, or a listed word repeated.
func CheckPassword(field, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return realty.FieldError(field, fmt.Sprintf("must be at least %d characters", MinPasswordLength))
	case len(password) > 1024:
		return realty.FieldError(field, "must be at most 1024 bytes")
	case isCommon(password):
		return realty.FieldError(field, "is too common; choose a password that is not on lists of common passwords")
	}
	return nil
}

func isCommon(password string) bool {
	list := commonPasswords()
	lower := strings.ToLower(password)
	if _, ok := list[lower]; ok {
		return true
	}
	core := strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if _, ok := list[core]; ok && len(core) >= 4 {
		return true
	}
	for size := 1; size <= len(lower)/2; size++ {
		if len(lower)%size != 0 || strings.Repeat(lower[:size], len(lower)/size) != lower {
			continue
		}
		if _, ok := list[lower[:size]]; ok || size < 3 {
			return true // a listed word, or one or two characters, repeated
		}
	}
	return false
}
