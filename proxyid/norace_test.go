//go:build !race

package proxyid

const raceEnabled = false
