#pragma once
// The two orders the workbench shows a run's results in, as tests check them: ranked by
// score, or the review queue's (core's ds::reviewOrder, nearest the threshold first).
#include "core/review/ReviewQueue.h"
#include "ui/models/ResultsModel.h"

#include <QAbstractItemModel>

#include <cstdint>
#include <vector>

namespace ds::test {

inline bool rankedByScoreDescending(const QAbstractItemModel& model)
{
    for (int row = 1; row < model.rowCount(); ++row)
        if (model.index(row - 1, 0).data(ui::ResultsModel::ScoreRole).toDouble()
            < model.index(row, 0).data(ui::ResultsModel::ScoreRole).toDouble())
            return false;
    return true;
}

inline std::vector<std::int64_t> queueOrder(const ui::ResultsModel& results)
{
    std::vector<std::int64_t> ids;
    std::vector<double> scores;
    for (const ui::ResultsModel::Row& row : results.rows()) {
        ids.push_back(row.imageId);
        scores.push_back(row.score);
    }
    return reviewOrder(ids, scores, results.threshold(), ReviewOrder::NearestThresholdFirst);
}

} // namespace ds::test
