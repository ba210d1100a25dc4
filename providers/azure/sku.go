package azure

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/topology"
)

const gib = int64(1) << 30

// skuInfo is one Azure Managed Redis SKU and the memory it holds.
type skuInfo struct {
	Name  string
	Tier  Tier // "" for Flash Optimized, which is never chosen from memory
	Bytes int64
}

// managedSKUs are the Azure Managed Redis SKUs with their memory as Azure
// publishes it (GB of dataset, taken as GiB). Flash Optimized SKUs keep part
// of the data on NVMe and are only used when named with provider.sku.
var managedSKUs = func() []skuInfo {
	var out []skuInfo
	add := func(tier Tier, prefix string, sizes map[string]float64) {
		for n, gb := range sizes {
			out = append(out, skuInfo{Name: prefix + n, Tier: tier, Bytes: int64(gb * float64(gib))})
		}
	}
	add(TierBalanced, "Balanced_B", map[string]float64{"0": 0.5, "1": 1, "3": 3, "5": 6, "10": 12, "20": 24, "50": 60,
		"100": 120, "150": 180, "250": 240, "350": 360, "500": 480, "700": 720, "1000": 960})
	add(TierMemoryOptimized, "MemoryOptimized_M", map[string]float64{"10": 12, "20": 24, "50": 60, "100": 120, "150": 180,
		"250": 240, "350": 360, "500": 480, "700": 720, "1000": 960, "1500": 1440, "2000": 1920})
	add(TierComputeOptimized, "ComputeOptimized_X", map[string]float64{"3": 3, "5": 6, "10": 12, "20": 24, "50": 60,
		"100": 120, "150": 180, "250": 240, "350": 360, "500": 480, "700": 720})
	add("", "FlashOptimized_A", map[string]float64{"250": 256, "500": 512, "700": 720, "1000": 1024, "1500": 1536, "2000": 2048, "4500": 4608})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Bytes != out[j].Bytes {
			return out[i].Bytes < out[j].Bytes
		}
		return out[i].Name < out[j].Name
	})
	return out
}()

// managedSKU looks a SKU up by name (case-insensitive, as ARM compares).
func managedSKU(name string) (skuInfo, bool) {
	for _, s := range managedSKUs {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return skuInfo{}, false
}

// canonicalSKU writes a SKU name the way the table does, so that a name the
// API returns in other case does not diff.
func canonicalSKU(name string) string {
	if s, ok := managedSKU(name); ok {
		return s.Name
	}
	return name
}

func managedSKUNames() []string {
	var out []string
	for _, s := range managedSKUs {
		out = append(out, s.Name)
	}
	return out
}

// chooseSKU is the smallest SKU of the tier that holds need bytes.
func chooseSKU(tier Tier, need int64) (skuInfo, error) {
	var largest skuInfo
	for _, s := range managedSKUs {
		if s.Tier != tier {
			continue
		}
		if s.Bytes >= need {
			return s, nil
		}
		largest = s
	}
	msg := fmt.Sprintf("the spec needs %s but the largest %s SKU (%s) holds %s", human(need), tier, largest.Name, human(largest.Bytes))
	if tier != TierMemoryOptimized {
		msg += "; set provider.tier: MemoryOptimized (up to 1920 GiB)"
	}
	return skuInfo{}, fmt.Errorf("%s, or lower memory", msg)
}

// desiredSKU is the SKU a spec asks for.
func desiredSKU(spec *topology.Spec, s Settings) skuInfo {
	if s.SKU != "" {
		sku, _ := managedSKU(s.SKU)
		return sku
	}
	sku, _ := chooseSKU(tierOf(s), totalMemory(spec))
	return sku
}

// totalMemory is the dataset size the spec asks for: memory per primary
// times the number of primaries.
func totalMemory(spec *topology.Spec) int64 {
	if spec.Layout == topology.LayoutCluster && spec.Shards > 1 {
		return spec.Memory.Bytes * int64(spec.Shards)
	}
	return spec.Memory.Bytes
}

func memoryWhy(spec *topology.Spec) string {
	if spec.Layout == topology.LayoutCluster && spec.Shards > 1 {
		return fmt.Sprintf("memory %s × %d shards", spec.Memory, spec.Shards)
	}
	return "memory " + spec.Memory.String()
}

func human(b int64) string { return topology.Quantity{Bytes: b}.String() }

// classicSize is one classic cache size.
type classicSize struct {
	Family   string // C (Basic, Standard) or P (Premium)
	Capacity int
	Bytes    int64
}

const mib = int64(1) << 20

// classicSizes are the classic cache sizes (per shard for Premium clusters).
var classicSizes = []classicSize{
	{"C", 0, 250 * mib}, {"C", 1, 1 * gib}, {"C", 2, 2560 * mib}, {"C", 3, 6 * gib}, {"C", 4, 13 * gib}, {"C", 5, 26 * gib}, {"C", 6, 53 * gib},
	{"P", 1, 6 * gib}, {"P", 2, 13 * gib}, {"P", 3, 26 * gib}, {"P", 4, 53 * gib}, {"P", 5, 120 * gib},
}

func familyOf(tier ClassicTier) string {
	if tier == "Premium" {
		return "P"
	}
	return "C"
}

// chooseClassicSize is the smallest size of the family holding need bytes.
func chooseClassicSize(family string, need int64) (classicSize, bool) {
	for _, c := range classicSizes {
		if c.Family == family && c.Bytes >= need {
			return c, true
		}
	}
	return classicSize{}, false
}

func classicBytes(family string, capacity int) int64 {
	for _, c := range classicSizes {
		if c.Family == family && c.Capacity == capacity {
			return c.Bytes
		}
	}
	return 0
}

// classicSKUString is how a classic SKU appears in attributes: "Standard C1".
func classicSKUString(tier ClassicTier, family string, capacity int) string {
	return string(tier) + " " + family + strconv.Itoa(capacity)
}

// parseClassicSKU reads "Standard C1".
func parseClassicSKU(s string) (tier ClassicTier, family string, capacity int, ok bool) {
	name, size, found := strings.Cut(s, " ")
	if !found || len(size) < 2 {
		return "", "", 0, false
	}
	c, err := strconv.Atoi(size[1:])
	if err != nil {
		return "", "", 0, false
	}
	return ClassicTier(name), size[:1], c, true
}
