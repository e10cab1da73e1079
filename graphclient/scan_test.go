package graphclient

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestAnyStop: the test of 8 bytes at a time says what the table says of
// each byte: every byte value in every position among plain bytes, every
// pair of byte values in two positions, and random words.
func TestAnyStop(t *testing.T) {
	table := func(x uint64) bool {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], x)
		for _, c := range b {
			if stringStop[c] {
				return true
			}
		}
		return false
	}
	plain := binary.LittleEndian.Uint64([]byte("abcdefgh"))
	for pos := range 8 {
		for c := range 256 {
			x := plain&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
			if anyStop(x) != table(x) {
				t.Fatalf("byte %#x at %d: anyStop %v", c, pos, anyStop(x))
			}
		}
	}
	for c := range 256 {
		for d := range 256 {
			for _, at := range [][2]int{{0, 1}, {3, 7}, {6, 7}} {
				x := plain&^(0xff<<(8*at[0]))&^(0xff<<(8*at[1])) | uint64(c)<<(8*at[0]) | uint64(d)<<(8*at[1])
				if anyStop(x) != table(x) {
					t.Fatalf("bytes %#x, %#x at %v: anyStop %v", c, d, at, anyStop(x))
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		x := rng.Uint64()
		if rng.IntN(2) == 0 {
			x &= 0x7f7f7f7f7f7f7f7f // ASCII, where a stop is rarer
		}
		if anyStop(x) != table(x) {
			t.Fatalf("%#016x: anyStop %v", x, anyStop(x))
		}
	}
}
