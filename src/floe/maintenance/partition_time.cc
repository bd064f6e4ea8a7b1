#include "floe/maintenance/partition_time.h"

#include "floe/iceberg/datetime.h"
#include "floe/iceberg/transforms.h"

namespace floe::maintenance {

std::optional<std::pair<int64_t, int64_t>> PartitionTimeRange(
    const iceberg::PartitionSpec& spec, const iceberg::Schema& schema,
    const std::vector<iceberg::Literal>& values) {
  using iceberg::kMicrosPerDay;
  using iceberg::kMicrosPerHour;
  using iceberg::TransformKind;
  using iceberg::TypeId;
  for (size_t i = 0; i < spec.fields.size() && i < values.size(); ++i) {
    const iceberg::PartitionField& field = spec.fields[i];
    const iceberg::Literal& v = values[i];
    if (v.is_null()) continue;
    switch (field.transform.kind()) {
      case TransformKind::kYear: {
        const int64_t from = iceberg::DaysFromCivil(1970 + v.int_value(), 1, 1);
        const int64_t to = iceberg::DaysFromCivil(1970 + v.int_value() + 1, 1, 1);
        return std::make_pair(from * kMicrosPerDay, to * kMicrosPerDay);
      }
      case TransformKind::kMonth: {
        const int64_t year = 1970 + iceberg::FloorDiv(v.int_value(), 12);
        const int32_t month = static_cast<int32_t>(iceberg::FloorMod(v.int_value(), 12)) + 1;
        const int64_t from = iceberg::DaysFromCivil(year, month, 1);
        const int64_t to = month == 12 ? iceberg::DaysFromCivil(year + 1, 1, 1)
                                       : iceberg::DaysFromCivil(year, month + 1, 1);
        return std::make_pair(from * kMicrosPerDay, to * kMicrosPerDay);
      }
      case TransformKind::kDay:
        return std::make_pair(int64_t{v.int_value()} * kMicrosPerDay,
                              (int64_t{v.int_value()} + 1) * kMicrosPerDay);
      case TransformKind::kHour:
        return std::make_pair(int64_t{v.int_value()} * kMicrosPerHour,
                              (int64_t{v.int_value()} + 1) * kMicrosPerHour);
      case TransformKind::kIdentity: {
        const iceberg::NestedField* source = schema.FindFieldById(field.source_id);
        if (source == nullptr) break;
        if (source->type.id == TypeId::kDate) {
          return std::make_pair(int64_t{v.int_value()} * kMicrosPerDay,
                                (int64_t{v.int_value()} + 1) * kMicrosPerDay);
        }
        if (source->type.id == TypeId::kTimestamp || source->type.id == TypeId::kTimestampTz) {
          return std::make_pair(v.long_value(), v.long_value() + 1);
        }
        break;
      }
      default: break;
    }
  }
  return std::nullopt;
}

}  // namespace floe::maintenance
