package dataset

// Add adds o's numbers to c.
func (c *Counts) Add(o *Counts) {
	c.FilesSeen += o.FilesSeen
	c.FilesSkipped += o.FilesSkipped
	c.Bytes += o.Bytes
	c.Functions += o.Functions
	c.DuplicateExact += o.DuplicateExact
	c.DuplicateNear += o.DuplicateNear
	c.Kept += o.Kept
	c.FilesSkippedBy = addMap(c.FilesSkippedBy, o.FilesSkippedBy)
	c.Removed = addMap(c.Removed, o.Removed)
	c.Redactions = addMap(c.Redactions, o.Redactions)
}

func addMap(dst, src map[string]int) map[string]int {
	for k, v := range src {
		if dst == nil {
			dst = map[string]int{}
		}
		dst[k] += v
	}
	return dst
}

// Inc adds one to a per-name counter of c, making the map when needed.
func Inc(m *map[string]int, name string, n int) {
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[name] += n
}
