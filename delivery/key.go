package delivery

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"time"
)

// keyTimeLayout is the delivery-time part of a log file name (YYYYMMDDTHHmmZ).
const keyTimeLayout = "20060102T1504Z"

// LogFileKey returns the key of a trail log file (spec §5.1):
//
//	[prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
//
// with the date folders and the time of delivery t (UTC).
func LogFileKey(prefix, account, region string, t time.Time, unique string) string {
	t = t.UTC()
	k := "AWSLogs/" + account + "/CloudTrail/" + region + "/" + t.Format("2006/01/02") + "/" +
		account + "_CloudTrail_" + region + "_" + t.Format(keyTimeLayout) + "_" + unique + ".json.gz"
	if prefix != "" {
		k = prefix + "/" + k
	}
	return k
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// uniqueString is the 16-character [A-Za-z0-9] part of a log file name. AWS's is
// random; Cairn's is derived from what the file holds (trail, region, range of the
// log, part number), so that writing a job again names its files the same.
func uniqueString(trailARN, region string, from, to uint64, part int) string {
	h := sha256.New()
	h.Write([]byte(trailARN))
	h.Write([]byte{0})
	h.Write([]byte(region))
	h.Write([]byte{0})
	var b [8]byte
	for _, n := range []uint64{from, to, uint64(part)} {
		binary.BigEndian.PutUint64(b[:], n)
		h.Write(b[:])
	}
	sum := h.Sum(nil)
	out := make([]byte, 16)
	for i := range out {
		out[i] = base62[int(sum[i])%len(base62)]
	}
	return string(out)
}

// jobID names a job in the state document.
func jobID(trailKey string, from, to uint64) string {
	return trailKey + "/" + strconv.FormatUint(from, 10) + "-" + strconv.FormatUint(to, 10)
}
