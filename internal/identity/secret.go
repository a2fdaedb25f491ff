package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SecretKeySize is the length of the server key: AES-256.
const SecretKeySize = 32

// LoadSecretKey returns the server key: REALTY_SECRET_KEY when set (base64 of
// 32 bytes), else the key in <dataDir>/secret.key, generated there (mode
// 0600) on first use. It returns an error naming REALTY_SECRET_KEY when the
// value is malformed.
func LoadSecretKey(env, dataDir string) ([]byte, error) {
	if env != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil || len(key) != SecretKeySize {
			return nil, fmt.Errorf("REALTY_SECRET_KEY must be base64 of %d random bytes (openssl rand -base64 32)", SecretKeySize)
		}
		return key, nil
	}
	path := filepath.Join(dataDir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) != SecretKeySize {
			return nil, fmt.Errorf("%s is not a valid server key", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read server key: %w", err)
	}
	key := make([]byte, SecretKeySize)
	_, _ = rand.Read(key)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) { // another process wrote it first
		return LoadSecretKey("", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("write server key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		return nil, fmt.Errorf("write server key: %w", err)
	}
	return key, nil
}

// sealer encrypts small secrets (TOTP seeds) at rest with AES-256-GCM under
// a key derived from the server key for this one purpose.
type sealer struct{ aead cipher.AEAD }

func newSealer(serverKey []byte, purpose string) (sealer, error) {
	if len(serverKey) != SecretKeySize {
		return sealer{}, fmt.Errorf("server key must be %d bytes", SecretKeySize)
	}
	derived := sha256.Sum256(append([]byte("realty:"+purpose+":"), serverKey...))
	block, err := aes.NewCipher(derived[:])
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{aead: aead}, nil
}

// seal returns nonce||ciphertext.
func (s sealer) seal(plain []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, nil)
}

// open reverses seal; it fails when the data was altered or sealed under
// another key.
func (s sealer) open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed secret too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}
