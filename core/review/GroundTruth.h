#pragma once
// What the project knows about whether an image is defective: the latest human verdict
// (Defect / Good; Unsure says nothing) wins over the dataset label ("good" -> good, a
// defect type -> defective, "" -> unknown).
#include "core/storage/ProjectFile.h"

#include <cstdint>
#include <map>
#include <optional>

namespace ds {

struct ImageTruth {
    std::optional<bool> defective; // nullopt: unknown
    bool fromReviewer = false; // decided by a human verdict
};

// Every image of the project, by id.
std::map<std::int64_t, ImageTruth> effectiveTruth(const ProjectFile& project);

} // namespace ds
