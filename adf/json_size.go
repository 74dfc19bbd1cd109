package adf

// jsonSizeHint estimates the encoded size of nodes so MarshalJSON sizes its
// buffer once instead of doubling it a dozen times on a large document
// (the copies were a quarter of the bytes allocated converting READMEs).
func jsonSizeHint(nodes []*Node) int {
	n := 0
	for _, c := range nodes {
		if c == nil {
			continue
		}
		n += 24 + len(c.Type) + len(c.Text) + len(c.Text)/16
		if c.Attrs != nil {
			n += 12 + 32*len(c.Attrs)
		}
		for _, m := range c.Marks {
			n += 20 + len(m.Type)
			if m.Attrs != nil {
				n += 12 + 64*len(m.Attrs)
			}
		}
		if c.Content != nil {
			n += 14 + jsonSizeHint(c.Content)
		}
	}
	return n
}
