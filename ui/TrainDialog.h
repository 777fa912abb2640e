#pragma once
#include "core/detectors/Detector.h"

#include <QDialog>

#include <map>

class QComboBox;
class QSpinBox;
class QLabel;
class QLineEdit;
class QFormLayout;

namespace ds::ui {

// Model → Train…: method, backbone, image size, the method's parameters and a name.
class TrainDialog : public QDialog {
    Q_OBJECT
public:
    explicit TrainDialog(QWidget* parent = nullptr);

    DetectorSettings settings() const;
    QString modelName() const; // may be empty: core then names the model
    // The good images training will use, for the time estimate.
    void setTrainingImageCount(size_t count);

private Q_SLOTS:
    void methodChanged();
    void backboneChanged(int index);
    void updateEstimate();

private:
    QComboBox* method_;
    QComboBox* backbone_;
    QSpinBox* imageSize_;
    enum class Aspect { Automatic, Keep, Squash };
    QComboBox* aspect_;
    QLineEdit* name_;
    QFormLayout* parameterForm_;
    QLabel* estimate_;
    size_t trainingImages_ = 0;
    std::map<std::string, QWidget*> parameterEditors_; // a spin box, or a combo box for named choices
    QString torchScriptPath_;
    int lastBackboneIndex_ = 0;
};

} // namespace ds::ui
