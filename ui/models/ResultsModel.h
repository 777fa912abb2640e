#pragma once
#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <vector>

namespace ds::ui {

// One run's per-image results as a table: Image, Label, Score, Verdict. The verdict is
// recomputed from the current threshold (score >= threshold -> "Defect").
class ResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ImageColumn, LabelColumn, ScoreColumn, VerdictColumn, ColumnCount };
    enum Role {
        ImageIdRole = Qt::UserRole, // qint64 image id
        ScoreRole,                  // double score
        SortRole,                   // per-column raw value to sort by (score as a number)
    };

    struct Row {
        std::int64_t imageId = 0;
        QString fileName;
        QString label;
        double score = 0.0;
    };

    explicit ResultsModel(QObject* parent = nullptr);

    // Replaces every row (one model reset).
    void setRows(std::vector<Row> rows, double threshold);
    void clear();
    void setThreshold(double threshold);
    double threshold() const { return threshold_; }
    const std::vector<Row>& rows() const { return rows_; }
    int defectCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString verdictText(bool defect);

private:
    bool isDefect(const Row& row) const { return row.score >= threshold_; }

    std::vector<Row> rows_;
    double threshold_ = 0.0;
};

} // namespace ds::ui
