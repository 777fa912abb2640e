#pragma once
#include "ui/models/ResultsModel.h"

#include <QHash>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QTableView;
class QTimer;

namespace ds::ui {

class ResultsFilterProxy;
class ThumbnailLoader;

// One run's results as the user walks them: a line saying which run, the Show and Label
// filters, and the table (thumbnails made on a worker thread), ranked by score or, in
// review-queue order, nearest the threshold first. Choosing a filter hands the keyboard
// back to the table, so N, P, D, G, U never pick a combo box entry.
class ResultsPane : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPane(QWidget* parent = nullptr);

    // Replaces the rows; paths: each image's file, for its thumbnail.
    void setRows(std::vector<ResultsModel::Row> rows, double threshold, QHash<std::int64_t, QString> paths);
    // One more row while a run is scoring.
    void appendRow(ResultsModel::Row row, const QString& path);
    void setRunText(const QString& text);
    // Verdicts (and, in queue order, the order) at this threshold.
    void setThreshold(double threshold);
    // Another project: thumbnails of these ids are not its images'.
    void forgetThumbnails();
    // Queue order: nearest the threshold first instead of highest score first.
    void setNearestThresholdFirst(bool nearestFirst);

    std::int64_t currentImageId() const; // 0: none
    void selectImage(std::int64_t imageId);
    void selectFirst();
    void next();
    void previous();
    // The image after the current one in the order shown (0: none).
    std::int64_t nextImageId() const;
    // Rich-text caption of the current row: file, label, score and the model's verdict.
    QString currentCaption() const;

    QTableView* view() const { return view_; }
    ResultsModel* model() const { return model_; }
    ResultsFilterProxy* proxy() const { return proxy_; }
    QComboBox* showFilter() const { return showFilter_; }
    QComboBox* labelFilter() const { return labelFilter_; }

Q_SIGNALS:
    void currentImageChanged();

private:
    void updateLabelFilter();
    void requestThumbnails();
    void applyOrder();

    ResultsModel* model_ = nullptr;
    ResultsFilterProxy* proxy_ = nullptr;
    QTableView* view_ = nullptr;
    QComboBox* showFilter_ = nullptr;
    QComboBox* labelFilter_ = nullptr;
    QLabel* runLabel_ = nullptr;
    ThumbnailLoader* thumbnails_ = nullptr;
    QTimer* thumbnailBatch_ = nullptr; // gathers rows that arrive while scoring
    QHash<std::int64_t, QString> paths_;
    bool nearestFirst_ = false;
};

} // namespace ds::ui
