package runtime

import "runtime/debug"

// ModuleVersion returns the version of a Go module linked into this binary
// (for example an engine library), or fallback when build info is missing.
func ModuleVersion(path, fallback string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil && d.Replace.Version != "" {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return fallback
}
