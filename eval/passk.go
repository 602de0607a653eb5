package eval

// PassAtK is the unbiased estimator of pass@k from n samples of which c
// passed: 1 - C(n-c, k) / C(n, k), the chance that at least one of k samples
// drawn without replacement passes. It is computed as
// 1 - Π_{i=n-c+1..n} (1 - k/i), which never forms the binomials and so
// neither overflows nor loses precision for large n. With fewer than k
// samples the estimate is undefined and PassAtK returns 0 and false.
func PassAtK(n, c, k int) (float64, bool) {
	if k <= 0 || n < k || c < 0 || c > n {
		return 0, false
	}
	if n-c < k {
		return 1, true
	}
	fail := 1.0
	for i := n - c + 1; i <= n; i++ {
		fail *= 1 - float64(k)/float64(i)
	}
	return 1 - fail, true
}
