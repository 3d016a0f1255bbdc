// The verbs of the two s3 resource types, `s3.bucket` and `s3.object`, as the provider
// dispatches them (see s3_provider.h for the attributes each takes).
#pragma once

#include "providers/provider.h"

namespace upgrade::s3 {

ReadResult ReadBucket(const ResourceConfig& resource);
DiffResult DiffBucket(const DiffRequest& request);
PrepareResult PrepareBucket(const Operation& operation);
ApplyResult ApplyBucket(const Operation& operation);
ReverseResult ReverseBucket(const ReverseRequest& request);

ReadResult ReadObject(const ResourceConfig& resource);
DiffResult DiffObject(const DiffRequest& request);
PrepareResult PrepareObject(const Operation& operation, ProviderContext& context);
ApplyResult ApplyObject(const Operation& operation);
ReverseResult ReverseObject(const ReverseRequest& request, ProviderContext& context);

}  // namespace upgrade::s3
