package aws

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/redisctl/redisctl/providers"
)

// maxParametersPerCall is ModifyCacheParameterGroup's limit.
const maxParametersPerCall = 20

// params creates, updates or deletes the deployment's parameter group.
func (a *applier) params() (*providers.Resource, error) {
	c := a.req.Change
	switch c.Action {
	case providers.ActionDelete:
		return nil, a.deleteParams(*c.Before)
	case providers.ActionReplace:
		if err := a.deleteParams(*c.Before); err != nil {
			return nil, err
		}
	}
	ctx, t := a.ctx, a.t
	name := t.paramGroup
	if c.Action != providers.ActionUpdate {
		_, err := a.api.CreateCacheParameterGroup(ctx, &elasticache.CreateCacheParameterGroupInput{
			CacheParameterGroupName:   aws.String(name),
			CacheParameterGroupFamily: aws.String(t.engine.Family),
			Description:               aws.String("redisctl deployment " + t.spec.Name + ": eviction policy and parameters"),
			Tags:                      awsTags(t.tags),
		})
		var exists *types.CacheParameterGroupAlreadyExistsFault
		switch {
		case errors.As(err, &exists):
			a.req.Progress("parameter group " + name + " already exists; adopting it")
		case err != nil:
			return nil, explain("create parameter group "+name, err)
		}
	}
	probe := providers.Resource{Type: typeParams, Name: name}
	if c.Action == providers.ActionUpdate {
		probe.ID = name // ours already: no ownership check
	}
	live, err := readParams(ctx, a.api, t, probe)
	if err != nil {
		return nil, err
	}
	if live == nil {
		return nil, fmt.Errorf("parameter group %s not found after creating it", name)
	}
	if fam := live.Attrs[attrFamily]; fam != t.engine.Family {
		return nil, fmt.Errorf("parameter group %s is of family %s, but %s %s needs family %s: set provider.parameterGroupName to a new name (or remove it)", name, fam, t.engine.Engine, t.engine.Version, t.engine.Family)
	}
	values, err := userParameters(ctx, a.api, name)
	if err != nil {
		return nil, err
	}
	want := map[string]string{"maxmemory-policy": string(t.spec.EvictionPolicy)}
	if t.cluster {
		want["cluster-enabled"] = "yes"
	}
	maps.Copy(want, t.settings.Parameters)
	var sets []types.ParameterNameValue
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if v, ok := values[k]; !ok || v != want[k] {
			sets = append(sets, types.ParameterNameValue{ParameterName: aws.String(k), ParameterValue: aws.String(want[k])})
		}
	}
	for chunk := range slices.Chunk(sets, maxParametersPerCall) {
		if _, err := a.api.ModifyCacheParameterGroup(ctx, &elasticache.ModifyCacheParameterGroupInput{CacheParameterGroupName: aws.String(name), ParameterNameValues: chunk}); err != nil {
			return nil, explain("set parameters of "+name, err)
		}
	}
	if err := a.retag(ctx, live.Private[privARN], live.Attrs[attrTags], providers.JoinPairs(t.tags)); err != nil {
		return nil, err
	}
	return readParams(ctx, a.api, t, providers.Resource{Type: typeParams, Name: name, ID: name})
}

func (a *applier) deleteParams(r providers.Resource) error {
	name := nameOf(r, a.t.paramGroup)
	_, err := a.api.DeleteCacheParameterGroup(a.ctx, &elasticache.DeleteCacheParameterGroupInput{CacheParameterGroupName: aws.String(name)})
	var nf *types.CacheParameterGroupNotFoundFault
	if err == nil || errors.As(err, &nf) {
		return nil
	}
	var busy *types.InvalidCacheParameterGroupStateFault
	if errors.As(err, &busy) {
		return fmt.Errorf("delete parameter group %s: it is still in use (a replication group outside this deployment may use it): %w", name, err)
	}
	return explain("delete parameter group "+name, err)
}

// subnet creates, updates or deletes the subnet group redisctl manages.
func (a *applier) subnet() (*providers.Resource, error) {
	c := a.req.Change
	ctx, t := a.ctx, a.t
	if c.Action == providers.ActionDelete {
		name := nameOf(*c.Before, t.subnetGroup)
		_, err := a.api.DeleteCacheSubnetGroup(ctx, &elasticache.DeleteCacheSubnetGroupInput{CacheSubnetGroupName: aws.String(name)})
		var nf *types.CacheSubnetGroupNotFoundFault
		if err == nil || errors.As(err, &nf) {
			return nil, nil
		}
		return nil, explain("delete subnet group "+name, err)
	}
	name := t.subnetGroup
	ids := t.settings.SubnetIDs
	if c.Action == providers.ActionCreate {
		_, err := a.api.CreateCacheSubnetGroup(ctx, &elasticache.CreateCacheSubnetGroupInput{
			CacheSubnetGroupName:        aws.String(name),
			CacheSubnetGroupDescription: aws.String("redisctl deployment " + t.spec.Name),
			SubnetIds:                   ids,
			Tags:                        awsTags(t.tags),
		})
		var exists *types.CacheSubnetGroupAlreadyExistsFault
		switch {
		case errors.As(err, &exists):
			a.req.Progress("subnet group " + name + " already exists; adopting it")
		case err != nil:
			return nil, explain("create subnet group "+name, err)
		}
	}
	live, err := readSubnet(ctx, a.api, t, providers.Resource{Type: typeSubnet, Name: name})
	if err != nil {
		return nil, err
	}
	if live == nil {
		return nil, fmt.Errorf("subnet group %s not found after creating it", name)
	}
	if live.Attrs[attrSubnets] != sortedJoin(ids) {
		if _, err := a.api.ModifyCacheSubnetGroup(ctx, &elasticache.ModifyCacheSubnetGroupInput{CacheSubnetGroupName: aws.String(name), SubnetIds: ids}); err != nil {
			return nil, explain("modify subnet group "+name, err)
		}
	}
	if err := a.retag(ctx, live.Private[privARN], live.Attrs[attrTags], providers.JoinPairs(t.tags)); err != nil {
		return nil, err
	}
	return readSubnet(ctx, a.api, t, providers.Resource{Type: typeSubnet, Name: name, ID: name})
}
