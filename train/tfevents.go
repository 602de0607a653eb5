package train

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

// EventWriter writes TensorBoard scalars to an events.out.tfevents.* file:
// TFRecord framing (length, masked CRC-32C of the length, data, masked
// CRC-32C of the data) around tensorflow.Event protos, encoded by hand with
// protowire (Event: wall_time=1 double, step=2 int64, file_version=3 string,
// summary=5; Summary.value=1; Value: tag=1 string, simple_value=2 float).
type EventWriter struct {
	f *os.File
	w *bufio.Writer
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, crcTable)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// NewEventWriter creates a new event file in dir.
func NewEventWriter(dir string) (*EventWriter, error) {
	host, _ := os.Hostname()
	var f *os.File
	// A run resumed within the second of the previous one's start must not
	// truncate that one's file: the next free second names it.
	for ts := time.Now().Unix(); ; ts++ {
		name := fmt.Sprintf("events.out.tfevents.%d.%s", ts, host)
		var err error
		f, err = os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create TensorBoard events: %w", err)
		}
	}
	e := &EventWriter{f: f, w: bufio.NewWriter(f)}
	var ev []byte
	ev = protowire.AppendTag(ev, 1, protowire.Fixed64Type)
	ev = protowire.AppendFixed64(ev, math.Float64bits(float64(time.Now().UnixNano())/1e9))
	ev = protowire.AppendTag(ev, 3, protowire.BytesType)
	ev = protowire.AppendString(ev, "brain.Event:2")
	if err := e.record(ev); err != nil {
		f.Close()
		return nil, err
	}
	return e, nil
}

// Scalar records value under tag at step.
func (e *EventWriter) Scalar(tag string, step int, value float64) error {
	var val []byte
	val = protowire.AppendTag(val, 1, protowire.BytesType)
	val = protowire.AppendString(val, tag)
	val = protowire.AppendTag(val, 2, protowire.Fixed32Type)
	val = protowire.AppendFixed32(val, math.Float32bits(float32(value)))
	var sum []byte
	sum = protowire.AppendTag(sum, 1, protowire.BytesType)
	sum = protowire.AppendBytes(sum, val)
	return e.event(step, 5, sum) // Event.summary
}

// Restart records that the run restarts at step, as TensorBoard's
// SessionLog START (Event.session_log=6, SessionLog.status=1, START=1):
// TensorBoard then drops the events of earlier files at that step or later,
// those a killed run wrote after its last checkpoint, which a resumed run
// writes again.
func (e *EventWriter) Restart(step int) error {
	var log []byte
	log = protowire.AppendTag(log, 1, protowire.VarintType)
	log = protowire.AppendVarint(log, 1)
	return e.event(step, 6, log)
}

// event records an Event with the wall time, step and one message field
// (summary, session_log, ...).
func (e *EventWriter) event(step int, field protowire.Number, msg []byte) error {
	var ev []byte
	ev = protowire.AppendTag(ev, 1, protowire.Fixed64Type)
	ev = protowire.AppendFixed64(ev, math.Float64bits(float64(time.Now().UnixNano())/1e9))
	ev = protowire.AppendTag(ev, 2, protowire.VarintType)
	ev = protowire.AppendVarint(ev, uint64(step))
	ev = protowire.AppendTag(ev, field, protowire.BytesType)
	ev = protowire.AppendBytes(ev, msg)
	return e.record(ev)
}

func (e *EventWriter) record(data []byte) error {
	var hdr [12]byte
	binary.LittleEndian.PutUint64(hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(hdr[8:], maskedCRC(hdr[:8]))
	var foot [4]byte
	binary.LittleEndian.PutUint32(foot[:], maskedCRC(data))
	for _, b := range [][]byte{hdr[:], data, foot[:]} {
		if _, err := e.w.Write(b); err != nil {
			return fmt.Errorf("write TensorBoard event: %w", err)
		}
	}
	return nil
}

// Flush makes the events written so far visible to TensorBoard.
func (e *EventWriter) Flush() error { return e.w.Flush() }

// Close flushes and closes the file.
func (e *EventWriter) Close() error {
	if err := e.w.Flush(); err != nil {
		e.f.Close()
		return err
	}
	return e.f.Close()
}
