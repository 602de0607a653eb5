package train

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// readEvents parses an event file back: it checks the framing CRCs and
// returns (tag, step, value) of each scalar.
func readEvents(t *testing.T, path string) (version string, scalars []struct {
	tag  string
	step int64
	val  float32
}) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for len(b) > 0 {
		n := binary.LittleEndian.Uint64(b[:8])
		if maskedCRC(b[:8]) != binary.LittleEndian.Uint32(b[8:12]) {
			t.Fatal("bad length CRC")
		}
		data := b[12 : 12+n]
		if maskedCRC(data) != binary.LittleEndian.Uint32(b[12+n:16+n]) {
			t.Fatal("bad data CRC")
		}
		b = b[16+n:]
		var step int64
		var tag string
		var val float32
		for len(data) > 0 {
			num, typ, l := protowire.ConsumeTag(data)
			data = data[l:]
			switch {
			case num == 2 && typ == protowire.VarintType:
				v, l := protowire.ConsumeVarint(data)
				step, data = int64(v), data[l:]
			case num == 3 && typ == protowire.BytesType:
				v, l := protowire.ConsumeString(data)
				version, data = v, data[l:]
			case num == 5 && typ == protowire.BytesType:
				sum, l := protowire.ConsumeBytes(data)
				data = data[l:]
				_, _, l = protowire.ConsumeTag(sum) // Summary.value
				value, _ := protowire.ConsumeBytes(sum[l:])
				for len(value) > 0 {
					vn, vt, l := protowire.ConsumeTag(value)
					value = value[l:]
					if vn == 1 && vt == protowire.BytesType {
						s, l := protowire.ConsumeString(value)
						tag, value = s, value[l:]
					} else {
						f, l := protowire.ConsumeFixed32(value)
						val, value = math.Float32frombits(f), value[l:]
					}
				}
			default:
				l := protowire.ConsumeFieldValue(num, typ, data)
				data = data[l:]
			}
		}
		if tag != "" {
			scalars = append(scalars, struct {
				tag  string
				step int64
				val  float32
			}{tag, step, val})
		}
	}
	return version, scalars
}

func TestEventWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := NewEventWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("train/loss", 7, 2.5); err != nil {
		t.Fatal(err)
	}
	if err := w.Scalar("val/loss", 8, 1.25); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("event files: %v", files)
	}
	version, scalars := readEvents(t, files[0])
	if version != "brain.Event:2" || len(scalars) != 2 || scalars[0].tag != "train/loss" || scalars[0].step != 7 ||
		scalars[0].val != 2.5 || scalars[1].tag != "val/loss" || scalars[1].val != 1.25 {
		t.Fatalf("version %q, scalars %+v", version, scalars)
	}
}

// Restart writes a SessionLog START at the step, which makes TensorBoard
// drop earlier files' events from that step on; a second writer in the same
// second gets its own file instead of truncating the first.
func TestEventWriterRestart(t *testing.T) {
	dir := t.TempDir()
	first, err := NewEventWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Scalar("train/loss", 6, 2.5); err != nil {
		t.Fatal(err)
	}
	first.Close()
	w, err := NewEventWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Restart(5); err != nil {
		t.Fatal(err)
	}
	w.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if len(files) != 2 {
		t.Fatalf("event files: %v", files)
	}
	if _, scalars := readEvents(t, files[0]); len(scalars) != 1 {
		t.Fatalf("the first file lost its scalars: %+v", scalars)
	}
	b, _ := os.ReadFile(files[1])
	var last []byte
	for len(b) > 0 { // the last record's Event
		n := binary.LittleEndian.Uint64(b[:8])
		last, b = b[12:12+n], b[16+n:]
	}
	var step, status uint64
	for len(last) > 0 {
		num, typ, l := protowire.ConsumeTag(last)
		last = last[l:]
		switch {
		case num == 2:
			v, l := protowire.ConsumeVarint(last)
			step, last = v, last[l:]
		case num == 6:
			log, l := protowire.ConsumeBytes(last)
			last = last[l:]
			if _, _, l := protowire.ConsumeTag(log); l > 0 {
				status, _ = protowire.ConsumeVarint(log[l:])
			}
		default:
			last = last[protowire.ConsumeFieldValue(num, typ, last):]
		}
	}
	if step != 5 || status != 1 {
		t.Fatalf("restart event: step %d, session status %d; want 5 and START (1)", step, status)
	}
}
