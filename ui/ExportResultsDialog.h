#pragma once
#include "core/review/ResultsExport.h"

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QPushButton;

namespace ds::ui {

// File → Export Results…: where the CSV goes and, optionally, a folder for overlay,
// heatmap and mask PNGs of every image.
class ExportResultsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportResultsDialog(const QString& suggestedCsv, QWidget* parent = nullptr);
    ds::ResultsExportOptions options() const;

private:
    void updateOk();

    QLineEdit* csv_ = nullptr;
    QCheckBox* pngs_ = nullptr;
    QLineEdit* folder_ = nullptr;
    QCheckBox* overlays_ = nullptr;
    QCheckBox* heatmaps_ = nullptr;
    QCheckBox* masks_ = nullptr;
    QPushButton* ok_ = nullptr;
};

} // namespace ds::ui
