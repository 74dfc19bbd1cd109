package adf

import (
	"crypto/sha1"
	"encoding/hex"
	"strconv"
)

// localID returns a deterministic UUID-shaped local id (RFC 9562 version 5
// layout) derived from the node kind, its ordinal in the document and its
// text, so converting the same markdown twice gives the same document.
func localID(kind string, ordinal int, content string) string {
	h := sha1.New()
	h.Write([]byte("atlassian-mcp/adf\x00"))
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(ordinal)))
	h.Write([]byte{0})
	h.Write([]byte(content))
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	var buf [36]byte
	hex.Encode(buf[0:8], sum[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], sum[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], sum[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], sum[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], sum[10:16])
	return string(buf[:])
}
