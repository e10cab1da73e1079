package azuresim

import (
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
)

// newUUID returns a random version 4 UUID. Request ids, trace ids and
// correlation ids only need to be unique, but crypto/rand costs nothing here.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail; it aborts the program instead
	return formatUUID(b)
}

// seededUUID returns a version 4 UUID drawn from rng, so that generated data
// is reproducible from a seed.
func seededUUID(rng *mrand.Rand) string {
	var b [16]byte
	for i := range 2 {
		v := rng.Uint64()
		for j := range 8 {
			b[i*8+j] = byte(v >> (8 * j))
		}
	}
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
