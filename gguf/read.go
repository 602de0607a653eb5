package gguf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Magic is the first four bytes of every GGUF file.
const Magic = "GGUF"

// DefaultAlignment aligns tensor data when general.alignment is absent.
const DefaultAlignment = 32

// KeyAlignment is the metadata key that overrides DefaultAlignment.
const KeyAlignment = "general.alignment"

// maxNameLen is ggml's limit on tensor names (GGML_MAX_NAME minus the NUL).
const maxNameLen = 63

var (
	// ErrNotGGUF means the file does not start with the GGUF magic.
	ErrNotGGUF = errors.New("not a GGUF file")
	// ErrMalformed wraps every other reason a file is refused: truncation,
	// impossible counts or sizes, unknown types, inconsistent offsets.
	ErrMalformed = errors.New("malformed GGUF file")
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// File is a parsed GGUF header. Tensor data is read on demand from the
// underlying reader; its methods are safe for concurrent use.
type File struct {
	Version    uint32
	KV         []KV         // metadata in file order
	Tensors    []TensorInfo // tensor infos in file order
	Alignment  uint64       // alignment of the data section and of each tensor
	DataOffset int64        // where the data section starts in the file
	Size       int64        // file size

	r           io.ReaderAt
	closer      io.Closer
	kvIndex     map[string]int
	tensorIndex map[string]int
}

// TensorInfo describes one tensor.
type TensorInfo struct {
	Name   string
	Dims   []uint64 // ggml order: Dims[0] is the row length
	Type   TensorType
	Offset uint64 // from File.DataOffset
	Size   uint64 // bytes
}

// NumElements is the number of elements of the tensor.
func (t TensorInfo) NumElements() uint64 { return NumElements(t.Dims) }

// Open reads the header of the GGUF file at path. Close the File when done.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open gguf: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("open gguf: %w", err)
	}
	f, err := Read(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("read gguf %s: %w", path, err)
	}
	f.closer = fh
	return f, nil
}

// Close closes the file opened by Open; it does nothing for a File from Read.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	err := f.closer.Close()
	f.closer = nil
	return err
}

// Read parses and validates the header of a GGUF file of the given size.
func Read(r io.ReaderAt, size int64) (*File, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative size %d", size)
	}
	d := newDecoder(r, size)
	f := &File{Size: size, r: r}
	nTensors, nKV, err := f.readHeader(d)
	if err != nil {
		return nil, err
	}
	if err := f.readKV(d, nKV); err != nil {
		return nil, err
	}
	if err := f.setAlignment(); err != nil {
		return nil, err
	}
	if err := f.readTensorInfos(d, nTensors); err != nil {
		return nil, err
	}
	f.DataOffset = int64(alignUp(uint64(d.pos), f.Alignment))
	if err := f.checkTensorPlacement(); err != nil {
		return nil, err
	}
	return f, nil
}

// readHeader reads the magic, the version and the tensor and KV counts.
func (f *File) readHeader(d *decoder) (nTensors, nKV uint64, err error) {
	magic := make([]byte, len(Magic))
	n, err := io.ReadFull(d.r, magic)
	d.pos += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return 0, 0, ErrNotGGUF // too short to hold a magic
	case err != nil:
		return 0, 0, fmt.Errorf("read magic: %w", err)
	case string(magic) != Magic:
		return 0, 0, ErrNotGGUF
	}
	v, err := d.u32()
	if err != nil {
		return 0, 0, err
	}
	switch {
	case v == 2 || v == 3:
	case v&0xFFFF == 0:
		return 0, 0, malformed("version %#x looks byte-swapped: big-endian files are not supported", v)
	default:
		return 0, 0, malformed("unsupported version %d (want 2 or 3)", v)
	}
	f.Version = v
	if nTensors, err = d.u64(); err != nil {
		return 0, 0, err
	}
	nKV, err = d.u64()
	return nTensors, nKV, err
}

func (f *File) readKV(d *decoder, n uint64) error {
	// Smallest KV: 8-byte key length, 4-byte type, 1-byte value.
	if err := d.needCount(n, 13, fmt.Sprintf("%d metadata entries", n)); err != nil {
		return err
	}
	f.KV = make([]KV, 0, n)
	f.kvIndex = make(map[string]int, n)
	for i := uint64(0); i < n; i++ {
		key, err := d.str()
		if err != nil {
			return fmt.Errorf("metadata entry %d: %w", i, err)
		}
		if _, dup := f.kvIndex[key]; dup {
			return malformed("duplicate metadata key %q", key)
		}
		t, err := d.valueType()
		if err != nil {
			return fmt.Errorf("metadata %q: %w", key, err)
		}
		v, err := d.value(t, 0)
		if err != nil {
			return fmt.Errorf("metadata %q: %w", key, err)
		}
		f.kvIndex[key] = len(f.KV)
		f.KV = append(f.KV, KV{Key: key, Value: v})
	}
	return nil
}

func (f *File) setAlignment() error {
	f.Alignment = DefaultAlignment
	v, ok := f.Lookup(KeyAlignment)
	if !ok {
		return nil
	}
	a, ok := v.x.(uint32)
	if !ok {
		return malformed("%s is %s, want uint32", KeyAlignment, v.typ)
	}
	if a == 0 || a&(a-1) != 0 {
		return malformed("%s %d is not a power of two", KeyAlignment, a)
	}
	f.Alignment = uint64(a)
	return nil
}

func (f *File) readTensorInfos(d *decoder, n uint64) error {
	// Smallest tensor info: name length, dim count, type, offset.
	if err := d.needCount(n, 8+4+4+8, fmt.Sprintf("%d tensor infos", n)); err != nil {
		return err
	}
	f.Tensors = make([]TensorInfo, 0, n)
	f.tensorIndex = make(map[string]int, n)
	for i := uint64(0); i < n; i++ {
		t, err := readTensorInfo(d)
		if err != nil {
			return fmt.Errorf("tensor info %d: %w", i, err)
		}
		if _, dup := f.tensorIndex[t.Name]; dup {
			return malformed("duplicate tensor %q", t.Name)
		}
		if t.Offset%f.Alignment != 0 {
			return malformed("tensor %q offset %d is not a multiple of the alignment %d", t.Name, t.Offset, f.Alignment)
		}
		f.tensorIndex[t.Name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, t)
	}
	return nil
}

func readTensorInfo(d *decoder) (TensorInfo, error) {
	var t TensorInfo
	var err error
	if t.Name, err = d.str(); err != nil {
		return t, err
	}
	if len(t.Name) > maxNameLen {
		return t, malformed("tensor name of %d bytes is longer than %d", len(t.Name), maxNameLen)
	}
	nd, err := d.u32()
	if err != nil {
		return t, err
	}
	if nd > maxDims {
		return t, malformed("tensor %q has %d dimensions, want at most %d", t.Name, nd, maxDims)
	}
	t.Dims = make([]uint64, nd)
	for j := range t.Dims {
		if t.Dims[j], err = d.u64(); err != nil {
			return t, err
		}
	}
	typ, err := d.u32()
	if err != nil {
		return t, err
	}
	t.Type = TensorType(typ)
	if t.Size, err = tensorBytes(t.Type, t.Dims); err != nil {
		return t, malformed("tensor %q: %v", t.Name, err)
	}
	t.Offset, err = d.u64()
	return t, err
}

// checkTensorPlacement makes sure every tensor lies inside the file and no
// two overlap.
func (f *File) checkTensorPlacement() error {
	if len(f.Tensors) == 0 {
		return nil
	}
	if f.DataOffset > f.Size {
		return malformed("data section starts at %d, after the end of the file (%d)", f.DataOffset, f.Size)
	}
	avail := uint64(f.Size - f.DataOffset)
	order := make([]int, len(f.Tensors))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		oa, ob := f.Tensors[a].Offset, f.Tensors[b].Offset
		switch {
		case oa < ob:
			return -1
		case oa > ob:
			return 1
		}
		return a - b
	})
	var end uint64
	for _, i := range order {
		t := f.Tensors[i]
		if t.Offset > avail || t.Size > avail-t.Offset {
			return malformed("tensor %q (%d bytes at data offset %d) runs past the end of the file", t.Name, t.Size, t.Offset)
		}
		if t.Offset < end {
			return malformed("tensor %q at data offset %d overlaps the tensor before it", t.Name, t.Offset)
		}
		end = t.Offset + t.Size
	}
	return nil
}

func alignUp(n, a uint64) uint64 {
	return (n + a - 1) / a * a
}
