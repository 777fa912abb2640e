#pragma once
#include "core/jobs/Inspector.h"

#include <QImage>
#include <QString>
#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QPushButton;

namespace ds::ui {

class BackgroundTask;

class ImagePane;

// Single-part inspection: drop an image file (or use Open Image…) to see at once its
// heatmap, score and verdict with the selected model, without adding it to the project.
// "Add to Project" imports the shown image as a Test image of unknown label: nobody has
// judged it yet, so it counts in no metric until a reviewer gives it a verdict.
//
// Inspections run on a worker thread, one at a time: a file dropped while one runs waits,
// and only the latest waiting file is inspected next. The model is loaded by the first
// inspection and kept while the project and model stay the same.
class InspectPanel : public QWidget {
    Q_OBJECT
public:
    explicit InspectPanel(QWidget* parent = nullptr);
    ~InspectPanel() override; // waits for a running inspection or import

    // The model to inspect with, and the user's current threshold. Changing the model
    // inspects the shown image again with the new one.
    void setModel(const QString& projectPath, qint64 modelId, double threshold);
    // Re-renders the verdict and contours of the shown image; does not inspect again.
    void setThreshold(double threshold);
    void clearModel();
    // Add to Project writes to the project: the window forbids it while its own job runs.
    void setImportAllowed(bool allowed);
    ImagePane* pane() const { return pane_; }

    double threshold() const { return threshold_; }
    bool isBusy() const { return inspecting_ || adding_; }
    bool isAdding() const { return adding_; }
    // For tests: the result line ("score … · threshold … · verdict · time") and the
    // message line (errors, import outcome).
    QString resultText() const;
    QString messageText() const;
    QPushButton* addButton() const { return addButton_; }

public Q_SLOTS:
    void inspectFile(const QString& path);
    void openImageDialog();
    void addToProject();

Q_SIGNALS:
    void inspected(double score, bool defect);
    void failed(const QString& message);
    void addedToProject(qint64 imageId);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    // What a worker hands back for one file.
    struct Inspection {
        quint64 modelGeneration = 0;
        QString path;
        std::shared_ptr<ds::Inspector> inspector; // loaded or reused; null when loading failed
        double modelLoadSeconds = 0.0; // > 0 when this inspection loaded the model
        ds::InspectionResult result;
        QString error; // empty on success
    };
    struct Import {
        QString path;
        qint64 imageId = 0;
        bool duplicate = false;
        QString error; // empty on success
    };

    void startInspection(const QString& path);
    void finishInspection(const Inspection& inspection);
    void finishImport(const Import& import);
    void render();
    void showError(const QString& message);
    void showInfo(const QString& message);
    void updateActions();

    QString projectPath_;
    qint64 modelId_ = 0;
    double threshold_ = 0.0;
    // Bumped whenever the model changes, so a result of an earlier model is never shown.
    quint64 modelGeneration_ = 0;
    std::shared_ptr<ds::Inspector> inspector_; // the current model's, once loaded

    bool inspecting_ = false;
    QString waitingPath_; // the latest file dropped while an inspection ran
    BackgroundTask* inspection_ = nullptr;
    bool adding_ = false;
    bool importAllowed_ = true;
    BackgroundTask* import_ = nullptr;
    std::optional<Inspection> shown_;

    QPushButton* openButton_ = nullptr;
    QPushButton* addButton_ = nullptr;
    ImagePane* pane_ = nullptr;
    QLabel* verdictBadge_ = nullptr;
    QLabel* resultLine_ = nullptr;
    QLabel* messageLine_ = nullptr;
};

} // namespace ds::ui
