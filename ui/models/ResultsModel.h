#pragma once
#include <QAbstractTableModel>
#include <QHash>
#include <QImage>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace ds::ui {

// One run's per-image results as a table: Image (with thumbnail), Label (the dataset's),
// Review (the latest human verdict), Score, Verdict (the model's). The model's verdict is
// recomputed from the current threshold (score >= threshold -> "Defect"); the human one is
// kept apart and never derived from it.
class ResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ImageColumn, LabelColumn, ReviewColumn, ScoreColumn, VerdictColumn, ColumnCount };
    enum Role {
        ImageIdRole = Qt::UserRole, // qint64 image id
        ScoreRole, // double score
        SortRole, // per-column raw value to sort by (score as a number)
        DefectRole, // bool: the model's verdict at the current threshold
        MisclassifiedRole, // bool: the model's verdict disagrees with the known truth
        ReviewedRole, // bool: a person gave a verdict (defect, good or unsure)
    };

    struct Row {
        std::int64_t imageId = 0;
        QString fileName;
        QString label; // the dataset's: "good", a defect type, or empty when unknown
        double score = 0.0;
        QString review; // latest human verdict: "defect", "good", "unsure" or empty
        std::optional<bool> truth; // defective or not as far as the project knows (reviews first)
        bool truthFromReviewer = false; // truth decided by a person's Good or Defect verdict
    };

    explicit ResultsModel(QObject* parent = nullptr);

    // Replaces every row (one model reset).
    void setRows(std::vector<Row> rows, double threshold);
    // Adds one row at the end, e.g. while a run is still scoring.
    void appendRow(Row row);
    void clear();
    void setThreshold(double threshold);
    // A new human verdict for an image, with the truth it implies (ds::effectiveTruth).
    void setReview(std::int64_t imageId, const QString& review, std::optional<bool> truth, bool truthFromReviewer);
    const Row* row(std::int64_t imageId) const;
    double threshold() const { return threshold_; }
    const std::vector<Row>& rows() const { return rows_; }
    int defectCount() const;
    // Shown as the image column's decoration; kept across setRows (images keep their id).
    void setThumbnail(std::int64_t imageId, const QImage& thumbnail);
    bool hasThumbnail(std::int64_t imageId) const { return thumbnails_.contains(imageId); }
    void clearThumbnails(); // e.g. when another project's image ids take over

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString verdictText(bool defect);
    // "defect" -> "Defect", "" -> "—".
    static QString reviewText(const QString& review);

private:
    bool isDefect(const Row& row) const { return row.score >= threshold_; }

    std::vector<Row> rows_;
    double threshold_ = 0.0;
    QHash<std::int64_t, QImage> thumbnails_;
};

} // namespace ds::ui
