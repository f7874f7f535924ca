package tokens

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// KeySize is the size of a token key: AES-256.
const KeySize = 32

// Keyring holds the keys that seal and open token records. The first key
// seals every new write; every key opens, so records sealed with an older
// key stay readable until `herald keys rotate` re-seals them.
type Keyring struct {
	ids  []string
	aead map[string]cipher.AEAD
}

var keyID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// ParseKeyring reads HERALD_TOKEN_KEYS: comma-separated id:base64key pairs,
// the sealing key first. Errors name the position and id, never a key.
func ParseKeyring(s string) (*Keyring, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("no keys: give at least one id:base64key (herald keys generate makes one)")
	}
	k := &Keyring{aead: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(s, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("key %d: want id:base64key", i+1)
		}
		if !keyID.MatchString(id) {
			return nil, fmt.Errorf("key %d: id must be 1-32 letters, digits, _ or -", i+1)
		}
		if _, dup := k.aead[id]; dup {
			return nil, fmt.Errorf("key %d: id %q used twice", i+1, id)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			if raw, err = base64.RawURLEncoding.DecodeString(b64); err != nil {
				return nil, fmt.Errorf("key %d (%s): not base64", i+1, id)
			}
		}
		if len(raw) != KeySize {
			return nil, fmt.Errorf("key %d (%s): %d bytes, want %d", i+1, id, len(raw), KeySize)
		}
		block, _ := aes.NewCipher(raw)
		aead, _ := cipher.NewGCM(block)
		k.ids = append(k.ids, id)
		k.aead[id] = aead
	}
	return k, nil
}

// GenerateKey returns a new random key as HERALD_TOKEN_KEYS wants it.
func GenerateKey(id string) (string, error) {
	if !keyID.MatchString(id) {
		return "", errors.New("key id must be 1-32 letters, digits, _ or -")
	}
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return id + ":" + base64.StdEncoding.EncodeToString(b), nil
}

// Primary is the id of the sealing key.
func (k *Keyring) Primary() string { return k.ids[0] }

// ErrUnknownKey says a record was sealed with a key the keyring lacks.
var ErrUnknownKey = errors.New("sealed with a key id not in HERALD_TOKEN_KEYS")

// ErrCorrupt says a sealed value does not open: tampered, truncated or
// moved to another account.
var ErrCorrupt = errors.New("sealed value does not open")

// seal encrypts plaintext with the primary key, bound to aad. The output
// is nonce||ciphertext.
func (k *Keyring) seal(aad, plaintext []byte) (kid string, sealed []byte) {
	kid = k.ids[0]
	aead := k.aead[kid]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("tokens: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return kid, aead.Seal(nonce, nonce, plaintext, aad)
}

// open decrypts what seal made.
func (k *Keyring) open(kid string, aad, sealed []byte) ([]byte, error) {
	aead, ok := k.aead[kid]
	if !ok {
		return nil, fmt.Errorf("key %q: %w", kid, ErrUnknownKey)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrCorrupt
	}
	n := aead.NonceSize()
	pt, err := aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}

// Seal encrypts a value of another kind (an upload session URI) bound to
// context, as "kid.base64". It is how jobs keeps checkpoints that are
// capabilities.
func (k *Keyring) Seal(context, plaintext string) string {
	kid, b := k.seal([]byte(context), []byte(plaintext))
	return kid + "." + base64.RawStdEncoding.EncodeToString(b)
}

// Open decrypts what Seal made with the same context.
func (k *Keyring) Open(context, sealed string) (string, error) {
	kid, b64, ok := strings.Cut(sealed, ".")
	if !ok {
		return "", ErrCorrupt
	}
	b, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil {
		return "", ErrCorrupt
	}
	pt, err := k.open(kid, []byte(context), b)
	return string(pt), err
}
