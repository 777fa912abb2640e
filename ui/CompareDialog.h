#pragma once
#include <QDialog>
#include <QList>
#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;
class QWidget;

namespace ds {
class JobContext;
class ProjectFile;
} // namespace ds

namespace ds::ui {

class BackgroundTask;
class ImageView;
class RocComparePlot;

// Model → Compare Models: the project's models side by side on their latest finished run.
// Pick two or more models; the dialog measures each run on a worker thread and shows a
// metrics table, the ROC curves overlaid, and one test image's heatmap per model, zoomed
// and panned together. "Export image…" saves the dialog as a PNG.
class CompareDialog : public QDialog {
    Q_OBJECT
public:
    enum Column {
        ModelColumn,
        MethodColumn,
        BackboneColumn,
        ImageAurocColumn,
        PixelAurocColumn,
        AuproColumn,
        F1MaxColumn,
        MsPerImageColumn,
        TrainingTimeColumn,
        ColumnCount
    };
    // Metric cells also hold their value as a double under this role (none when "—").
    static constexpr int ValueRole = Qt::UserRole;

    // Opens its own connection to the project; a project that cannot be opened is
    // reported in the dialog. Models with a finished run start out picked.
    explicit CompareDialog(const QString& projectPath, QWidget* parent = nullptr);
    ~CompareDialog() override;

    // Saves what the dialog shows as a PNG; on failure says why in a message box.
    bool exportImage(const QString& path);

    // For tests.
    QListWidget* modelList() const { return modelList_; }
    QTableWidget* metricsTable() const { return table_; }
    RocComparePlot* rocPlot() const { return rocPlot_; }
    QComboBox* imagePicker() const { return imagePicker_; }
    QList<ImageView*> imageViews() const { return views_; }
    QList<QLabel*> paneCaptions() const { return captions_; }
    QString statusText() const;
    bool isComputing() const;

public Q_SLOTS:
    // Picks exactly these models (unknown ids are ignored) and compares them.
    void setSelectedModels(const QList<qint64>& modelIds);

Q_SIGNALS:
    // The table, plot and image panes show the picked models.
    void comparisonReady();

private:
    struct ModelComparison;
    struct Comparison;

    // On the worker thread, with its own connection to the project.
    static Comparison measure(const std::string& projectPath, const std::vector<std::int64_t>& modelIds, ds::JobContext& job);
    void listModels();
    QList<qint64> pickedModels() const;
    void compare();
    void showComparison(const Comparison& comparison);
    void fillTable();
    void fillPlot();
    void fillImagePicker();
    void rebuildPanes();
    void showImage(int pickerIndex);
    void exportDialog();

    QString projectPath_;
    std::unique_ptr<ds::ProjectFile> project_; // this thread's connection (image panes)
    std::vector<ModelComparison> shown_;

    QListWidget* modelList_ = nullptr;
    QTableWidget* table_ = nullptr;
    RocComparePlot* rocPlot_ = nullptr;
    QComboBox* imagePicker_ = nullptr;
    QWidget* panesArea_ = nullptr;
    QWidget* panes_ = nullptr;
    QList<ImageView*> views_;
    QList<QLabel*> captions_;
    QLabel* status_ = nullptr;
    QPushButton* exportButton_ = nullptr;

    // One comparison runs at a time; a newer pick cancels it and runs when it ends.
    BackgroundTask* computing_ = nullptr;
    QWidget* content_ = nullptr; // what Export Image saves
};

} // namespace ds::ui
