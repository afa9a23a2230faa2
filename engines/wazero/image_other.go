//go:build !linux

package wazero

import "errors"

const imagesSupported = false

type image struct{ size uint64 }

func newImage([]byte) (*image, error) { return nil, errors.New("no memory images on this platform") }

func (im *image) mapInto([]byte)         {}
func (im *image) copyInto([]byte)        {}
func (im *image) unmapFrom([]byte) error { return nil }
func (im *image) close()                 {}
